// Command kube-validate strictly decodes Kubernetes manifests into the API
// types of the k8s.io/api release it is built with, so a rendered manifest
// with an unknown field, a wrong type, a malformed quantity, a duplicate key
// or an API group/version/kind that release does not have is rejected. Object
// metadata then goes through the API server's own ObjectMeta validation
// (k8s.io/apimachinery/pkg/api/validation): names, namespace, label keys and
// values, annotation keys and total size.
//
// One source, built per Kubernetes release through its modfile:
//
//	go build -modfile=go.mod        # k8s.io/api v0.37.x (Kubernetes 1.37)
//	go build -modfile=k8s-1.29.mod  # k8s.io/api v0.29.x (Kubernetes 1.29)
//
// The test set-up (test/support/go-tools.ts) builds both into .tools/bin.
//
// Usage: kube-validate FILE...  (multi-document YAML, e.g. `helm template` output)
// Prints one line per document; exits 1 if any document fails, 2 on bad usage.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The GA API groups a chart like ours renders, plus the Prometheus Operator's
// monitoring.coreos.com/v1 (PodMonitor). Anything else is "not registered".
var addToScheme = []func(*runtime.Scheme) error{
	corev1.AddToScheme,
	appsv1.AddToScheme,
	batchv1.AddToScheme,
	policyv1.AddToScheme,
	rbacv1.AddToScheme,
	networkingv1.AddToScheme,
	autoscalingv2.AddToScheme,
	monitoringv1.AddToScheme,
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kube-validate FILE...")
		os.Exit(2)
	}
	scheme := runtime.NewScheme()
	for _, add := range addToScheme {
		if err := add(scheme); err != nil {
			fmt.Fprintln(os.Stderr, "kube-validate: building the scheme:", err)
			os.Exit(2)
		}
	}
	// EnableStrict: unknown fields, duplicate fields and duplicate YAML keys
	// are errors, not silently dropped (kubectl --validate=strict does the same).
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

	fmt.Printf("kube-validate: k8s.io/api %s, monitoring.coreos.com/v1 %s\n",
		moduleVersion("k8s.io/api"), moduleVersion("github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring"))
	failed, total := 0, 0
	for _, file := range os.Args[1:] {
		docs, err := readDocuments(file)
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", file, err)
			failed++
			continue
		}
		for i, doc := range docs {
			total++
			where := fmt.Sprintf("%s#%d", file, i+1)
			obj, gvk, err := decoder.Decode(doc, nil, nil)
			if err != nil {
				failed++
				fmt.Printf("FAIL %s %s: %v\n", where, describe(doc), err)
				continue
			}
			if err := checkObject(obj); err != nil {
				failed++
				fmt.Printf("FAIL %s %s: %v\n", where, describe(doc), err)
				continue
			}
			fmt.Printf("ok   %s %s %s\n", where, gvk.GroupVersion().String(), describe(doc))
		}
	}
	fmt.Printf("kube-validate: %d documents, %d failed\n", total, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// readDocuments splits a multi-document YAML file and drops documents that
// hold only comments or whitespace (helm prints a "# Source:" before each).
func readDocuments(file string) ([][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		asJSON, err := sigsyaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d is not YAML: %w", len(docs)+1, err)
		}
		if len(bytes.TrimSpace(asJSON)) == 0 || string(bytes.TrimSpace(asJSON)) == "null" {
			continue
		}
		docs = append(docs, doc)
	}
}

// checkObject adds what decoding alone does not: the ObjectMeta rules the API
// server applies to every object. Service names must be DNS-1035 labels;
// the other kinds here take DNS subdomains. A namespaced document without a
// namespace (a pod template) gets one at apply time; a cluster-scoped kind
// (ClusterRole, ClusterRoleBinding) must have none.
func checkObject(obj runtime.Object) error {
	accessor, ok := obj.(metav1.Object)
	if !ok {
		return fmt.Errorf("%T has no object metadata", obj)
	}
	if accessor.GetName() == "" && accessor.GetGenerateName() == "" {
		return errors.New("metadata.name is empty")
	}
	nameFn := apivalidation.NameIsDNSSubdomain
	if _, isService := obj.(*corev1.Service); isService {
		nameFn = apivalidation.NameIsDNS1035Label
	}
	requiresNamespace := accessor.GetNamespace() != ""
	if clusterScoped(obj) {
		// ValidateObjectMetaAccessor with requiresNamespace=false rejects a namespace.
		requiresNamespace = false
	}
	errs := apivalidation.ValidateObjectMetaAccessor(accessor, requiresNamespace, nameFn, field.NewPath("metadata"))
	return errs.ToAggregate()
}

// clusterScoped: the kinds in the scheme above that have no namespace.
func clusterScoped(obj runtime.Object) bool {
	switch obj.(type) {
	case *rbacv1.ClusterRole, *rbacv1.ClusterRoleBinding, *corev1.Namespace, *corev1.Node, *corev1.PersistentVolume:
		return true
	}
	return false
}

// describe names a document "Kind namespace/name" for the report, best effort.
func describe(doc []byte) string {
	var head struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := sigsyaml.Unmarshal(doc, &head); err != nil {
		return "(unparsable)"
	}
	name := head.Metadata.Name
	if head.Metadata.Namespace != "" {
		name = head.Metadata.Namespace + "/" + name
	}
	return head.Kind + " " + name
}

func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == path {
			if dep.Replace != nil {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	return "unknown"
}
