// Package types holds the shapes of EKS Auth AssumeRoleForPodIdentity that
// the EKS Pod Identity Agent reads, named as in the AWS SDK for Go v2.
package types

import (
	"fmt"
	"time"

	"github.com/aws/smithy-go"
)

type Credentials struct {
	AccessKeyId     *string
	SecretAccessKey *string
	SessionToken    *string
	Expiration      *time.Time
}

type AssumedRoleUser struct {
	Arn          *string
	AssumeRoleId *string
}

type PodIdentityAssociation struct {
	AssociationArn *string
	AssociationId  *string
}

type Subject struct {
	Namespace      *string
	ServiceAccount *string
}

// APIError is one EKS Auth error answer: its code (the x-amzn-ErrorType
// header or the body's __type) and message.
type APIError struct {
	Code    string
	Message string
	Fault   smithy.ErrorFault
}

func (e *APIError) Error() string                 { return fmt.Sprintf("%s: %s", e.Code, e.Message) }
func (e *APIError) ErrorCode() string             { return e.Code }
func (e *APIError) ErrorMessage() string          { return e.Message }
func (e *APIError) ErrorFault() smithy.ErrorFault { return e.Fault }

// The errors the agent treats as final for a token (it evicts the cached
// credentials on them); every other code is an *APIError.
type ResourceNotFoundException struct{ APIError }
type ExpiredTokenException struct{ APIError }
type InvalidTokenException struct{ APIError }
type AccessDeniedException struct{ APIError }
