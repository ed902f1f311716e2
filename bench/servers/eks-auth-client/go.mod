// Stands in, at build time only, for the AWS SDK's EKS Auth client module,
// which the Go module proxy does not serve here: bench/peers.mjs points the
// EKS Pod Identity Agent's exported source at this directory with
// `go mod edit -replace` when the real module cannot be downloaded. See
// client.go for what it keeps of the real client.
module github.com/aws/aws-sdk-go-v2/service/eksauth

go 1.23

require (
	github.com/aws/aws-sdk-go-v2 v1.39.2
	github.com/aws/smithy-go v1.23.0
)
