package com.contoso.inventory;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;

/** Blob storage for stock snapshots; the credential follows whatever identity the pod runs as. */
public final class StorageConfig {
    private StorageConfig() {}

    public static BlobServiceClient blobServiceClient(String accountName) {
        TokenCredential credential = new DefaultAzureCredentialBuilder().build();
        return new BlobServiceClientBuilder()
            .endpoint("https://" + accountName + ".blob.core.windows.net")
            .credential(credential)
            .buildClient();
    }
}
