// Command conformance is aws-sdk-go-v2 as an application uses it: config.LoadDefaultConfig
// (whose default chain reaches the endpoint-credentials provider from
// AWS_CONTAINER_CREDENTIALS_FULL_URI) and an S3 client pointed at the test's recorder.
// It makes two S3 calls, so the credentials cache is asked twice; the test counts how
// often the sidecar was called. It prints one JSON object and never a secret.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	out := json.NewEncoder(os.Stdout)
	if err := run(out); err != nil {
		// The client's own error: the types down the wrap chain and its message.
		var chain []string
		for e := err; e != nil; e = errors.Unwrap(e) {
			chain = append(chain, reflect.TypeOf(e).String())
		}
		_ = out.Encode(map[string]string{"error": strings.Join(chain, " <- "), "message": err.Error()})
		os.Exit(3)
	}
}

func run(out *json.Encoder) error {
	ctx := context.Background()
	bucket, key, recorder := os.Getenv("S3_BUCKET"), os.Getenv("S3_KEY"), os.Getenv("RECORDER_URL")
	if bucket == "" || key == "" || recorder == "" {
		return fmt.Errorf("S3_BUCKET, S3_KEY and RECORDER_URL must be set")
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		return err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(recorder)
		o.UsePathStyle = true
	})
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return err
	}
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	body, err := io.ReadAll(obj.Body)
	if err != nil {
		return err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	return out.Encode(map[string]any{
		"sdk":           "aws-sdk-go-v2 " + aws.SDKVersion,
		"source":        creds.Source,
		"contentLength": aws.ToInt64(head.ContentLength),
		"body":          string(body),
	})
}
