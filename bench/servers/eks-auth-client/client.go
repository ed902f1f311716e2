// Package eksauth is the part of the AWS SDK for Go v2's EKS Auth client that
// the EKS Pod Identity Agent calls, for the bench only. It keeps what the
// agent relies on: the endpoint from aws.Config (the agent's --endpoint sets
// EndpointResolverWithOptions), SigV4 signing by the SDK's own signer with
// the configured credentials (signing name "eks-auth"), the configured HTTP
// client, the REST-JSON wire shape of AssumeRoleForPodIdentity, and errors
// wrapped as the SDK wraps them (an *awshttp.ResponseError around the
// service's error code, whose HTTP status the agent passes on to the pod). It
// leaves out the SDK's retries and middleware. The agent calls EKS Auth only
// when a token's credentials are not cached, so the measured hit path never
// runs this code.
package eksauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/eksauth/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const ServiceID = "EKS Auth"

const signingName = "eks-auth"

type Options struct{}

type Client struct {
	cfg    aws.Config
	signer *v4.Signer
}

func NewFromConfig(cfg aws.Config, _ ...func(*Options)) *Client {
	return &Client{cfg: cfg, signer: v4.NewSigner()}
}

type AssumeRoleForPodIdentityInput struct {
	ClusterName *string
	Token       *string
}

type AssumeRoleForPodIdentityOutput struct {
	Audience               *string
	Subject                *types.Subject
	PodIdentityAssociation *types.PodIdentityAssociation
	AssumedRoleUser        *types.AssumedRoleUser
	Credentials            *types.Credentials
}

func (c *Client) endpoint() (string, string, error) {
	region := c.cfg.Region
	if r := c.cfg.EndpointResolverWithOptions; r != nil {
		e, err := r.ResolveEndpoint(ServiceID, region)
		if err != nil {
			return "", "", err
		}
		if e.SigningRegion != "" {
			region = e.SigningRegion
		}
		return e.URL, region, nil
	}
	if u := os.Getenv("AWS_ENDPOINT_URL_EKS_AUTH"); u != "" {
		return u, region, nil
	}
	if c.cfg.BaseEndpoint != nil {
		return *c.cfg.BaseEndpoint, region, nil
	}
	return fmt.Sprintf("https://eks-auth.%s.api.aws", region), region, nil
}

func (c *Client) AssumeRoleForPodIdentity(ctx context.Context, in *AssumeRoleForPodIdentityInput, _ ...func(*Options)) (*AssumeRoleForPodIdentityOutput, error) {
	out, err := c.call(ctx, in)
	if err != nil {
		return nil, &smithy.OperationError{ServiceID: ServiceID, OperationName: "AssumeRoleForPodIdentity", Err: err}
	}
	return out, nil
}

func (c *Client) call(ctx context.Context, in *AssumeRoleForPodIdentityInput) (*AssumeRoleForPodIdentityOutput, error) {
	if in == nil || in.ClusterName == nil || in.Token == nil {
		return nil, fmt.Errorf("ClusterName and Token are required")
	}
	base, region, err := c.endpoint()
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]string{"token": *in.Token})
	if err != nil {
		return nil, err
	}
	target := strings.TrimRight(base, "/") + "/clusters/" + url.PathEscape(*in.ClusterName) + "/assume-role-for-pod-identity"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), signingName, region, time.Now()); err != nil {
		return nil, err
	}
	httpClient := c.cfg.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	payload, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		// Wrapped as the SDK wraps it: the agent answers the pod with this HTTP status and request id.
		return nil, &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: res}, Err: apiError(res, payload)},
			RequestID:     res.Header.Get("X-Amzn-Requestid"),
		}
	}
	var wire struct {
		Audience               *string                       `json:"audience"`
		Subject                *types.Subject                `json:"subject"`
		PodIdentityAssociation *types.PodIdentityAssociation `json:"podIdentityAssociation"`
		AssumedRoleUser        *types.AssumedRoleUser        `json:"assumedRoleUser"`
		Credentials            *struct {
			AccessKeyId     *string  `json:"accessKeyId"`
			SecretAccessKey *string  `json:"secretAccessKey"`
			SessionToken    *string  `json:"sessionToken"`
			Expiration      *float64 `json:"expiration"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(payload, &wire); err != nil {
		return nil, fmt.Errorf("malformed AssumeRoleForPodIdentity answer: %w", err)
	}
	out := &AssumeRoleForPodIdentityOutput{
		Audience:               wire.Audience,
		Subject:                wire.Subject,
		PodIdentityAssociation: wire.PodIdentityAssociation,
		AssumedRoleUser:        wire.AssumedRoleUser,
	}
	if w := wire.Credentials; w != nil {
		out.Credentials = &types.Credentials{AccessKeyId: w.AccessKeyId, SecretAccessKey: w.SecretAccessKey, SessionToken: w.SessionToken}
		if w.Expiration != nil {
			// REST-JSON timestamps are epoch seconds, possibly fractional.
			sec, frac := math.Modf(*w.Expiration)
			t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
			out.Credentials.Expiration = &t
		}
	}
	return out, nil
}

func apiError(res *http.Response, payload []byte) error {
	var wire struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(payload, &wire)
	code := res.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = wire.Type
	}
	// Both may carry a namespace prefix or a ":url" suffix.
	code = code[strings.LastIndex(code, "#")+1:]
	if i := strings.Index(code, ":"); i >= 0 {
		code = code[:i]
	}
	if code == "" {
		code = http.StatusText(res.StatusCode)
	}
	fault := smithy.FaultClient
	if res.StatusCode >= 500 {
		fault = smithy.FaultServer
	}
	base := types.APIError{Code: code, Message: wire.Message, Fault: fault}
	switch code {
	case "ResourceNotFoundException":
		return &types.ResourceNotFoundException{APIError: base}
	case "ExpiredTokenException":
		return &types.ExpiredTokenException{APIError: base}
	case "InvalidTokenException":
		return &types.InvalidTokenException{APIError: base}
	case "AccessDeniedException":
		return &types.AccessDeniedException{APIError: base}
	}
	return &base
}
