using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

var builder = WebApplication.CreateBuilder(args);

// DefaultAzureCredential picks up the workload identity environment the webhook injects.
var credential = new DefaultAzureCredential();
var vaultUri = new Uri(builder.Configuration["KeyVault:Uri"] ?? "https://contoso-payments.vault.azure.net/");
builder.Services.AddSingleton(new SecretClient(vaultUri, credential));

var app = builder.Build();

app.MapGet("/healthz", () => Results.Ok("ok"));
app.MapGet("/providers", async (SecretClient secrets) =>
{
    KeyVaultSecret secret = await secrets.GetSecretAsync("payment-provider-key");
    return Results.Ok(new { configured = !string.IsNullOrEmpty(secret.Value) });
});

app.Run();
