module github.com/contoso/shipping

go 1.21

require (
	github.com/Azure/azure-sdk-for-go/sdk/azcore v1.9.0
	github.com/Azure/azure-sdk-for-go/sdk/azidentity v1.5.1
)

require (
	github.com/AzureAD/microsoft-authentication-library-for-go v1.2.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.2.0 // indirect
	golang.org/x/crypto v0.18.0 // indirect
)

// Carrier label printing comes from an internal fork.
replace github.com/contoso/labelprinter => github.com/contoso/labelprinter-fork v0.3.1
