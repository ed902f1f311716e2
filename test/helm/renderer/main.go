// Command render is a test-only stand-in for `helm template`: no helm binary can
// be installed on the CI machines, but Helm's engine is just Go text/template +
// sprig + a handful of Helm functions, all of which Debian packages offline
// (golang-go, golang-github-masterminds-sprig-dev).
//
// It mimics the parts of Helm the chart uses: values coalescing (-f files,
// null deletes a key), .Release/.Chart/.Capabilities/.Template/.Files,
// missingkey=zero with "<no value>" scrubbed, include/tpl/required/toYaml/
// fromYaml/toJson/fromJson/lookup, and subcharts (--subchart alias=dir) whose
// templates share one template set and whose values live under .Values.<alias>.
//
// Build: GOPATH=/usr/share/gocode GO111MODULE=off go build -o render .
// Usage: render --chart DIR [-f values.yaml ...] [--name R] [--namespace NS]
//
//	[--kube-version v1.31.0] [--subchart alias=DIR ...] [--notes] [--strict]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yamlv2 "gopkg.in/yaml.v2"
	yamlv3 "gopkg.in/yaml.v3"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// chart is one chart directory loaded into memory.
type chart struct {
	dir      string
	meta     map[string]interface{} // .Chart, with Helm's capitalised keys
	defaults map[string]interface{} // values.yaml
	prefix   string                 // template name prefix, e.g. "parent/charts/lfcs"
}

// Files implements the .Files.Get subset the chart uses.
type Files struct{ root string }

// Get returns a chart file's contents ("" when missing, like Helm).
func (f Files) Get(name string) string {
	b, err := os.ReadFile(filepath.Join(f.root, filepath.FromSlash(name)))
	if err != nil {
		return ""
	}
	return string(b)
}

func main() {
	var valueFiles, subcharts multiFlag
	chartDir := flag.String("chart", "", "chart directory")
	name := flag.String("name", "release", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.31.0", "Capabilities.KubeVersion")
	notes := flag.Bool("notes", false, "render templates/NOTES.txt only")
	strict := flag.Bool("strict", false, "missingkey=error, like `helm lint --strict`")
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Var(&subcharts, "subchart", "alias=dir (repeatable)")
	flag.Parse()
	if err := run(*chartDir, *name, *namespace, *kubeVersion, *notes, *strict, valueFiles, subcharts); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(chartDir, name, namespace, kubeVersion string, notes, strict bool, valueFiles, subcharts []string) error {
	if chartDir == "" {
		return errors.New("--chart is required")
	}
	root, err := loadChart(chartDir, "")
	if err != nil {
		return err
	}
	values := root.defaults
	for _, f := range valueFiles {
		override, err := readYAMLMap(f)
		if err != nil {
			return err
		}
		values = coalesce(values, override)
	}
	subs := map[string]*chart{}
	for _, s := range subcharts {
		alias, dir, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--subchart %q: want alias=dir", s)
		}
		sub, err := loadChart(dir, root.prefix+"/charts/"+alias)
		if err != nil {
			return err
		}
		parentView, _ := values[alias].(map[string]interface{})
		values[alias] = coalesce(sub.defaults, parentView)
		subs[alias] = sub
	}

	var tmpl *template.Template
	missingKey := "missingkey=zero"
	if strict {
		missingKey = "missingkey=error"
	}
	tmpl = template.New("root").Option(missingKey).Funcs(funcs(func() *template.Template { return tmpl }))
	var renderable []string
	owner := map[string]*chart{}
	all := []*chart{root}
	aliases := make([]string, 0, len(subs))
	for a := range subs {
		aliases = append(aliases, a)
	}
	sort.Strings(aliases)
	for _, a := range aliases {
		all = append(all, subs[a])
	}
	for _, c := range all {
		names, err := parseTemplates(tmpl, c)
		if err != nil {
			return err
		}
		for _, n := range names {
			owner[n] = c
			base := filepath.Base(n)
			isNotes := base == "NOTES.txt"
			if strings.HasPrefix(base, "_") || (isNotes != notes) || (notes && c != root) {
				continue
			}
			renderable = append(renderable, n)
		}
	}

	caps := map[string]interface{}{"KubeVersion": kubeVersionInfo(kubeVersion)}
	release := map[string]interface{}{
		"Name": name, "Namespace": namespace, "Service": "Helm",
		"IsInstall": true, "IsUpgrade": false, "Revision": 1,
	}
	var out bytes.Buffer
	for _, n := range renderable {
		c := owner[n]
		vals := values
		if c != root {
			vals = values[strings.TrimPrefix(c.prefix, root.prefix+"/charts/")].(map[string]interface{})
		}
		ctx := map[string]interface{}{
			"Values": vals, "Release": release, "Chart": c.meta, "Capabilities": caps,
			"Files":    Files{root: c.dir},
			"Template": map[string]interface{}{"Name": n, "BasePath": c.prefix + "/templates"},
		}
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, n, ctx); err != nil {
			return err
		}
		body := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(body) == "" {
			continue
		}
		if notes {
			out.WriteString(body)
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", n, strings.TrimRight(body, "\n"))
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}

func loadChart(dir, prefix string) (*chart, error) {
	raw, err := readYAMLMap(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	meta := map[string]interface{}{}
	for k, v := range raw {
		key := strings.ToUpper(k[:1]) + k[1:]
		if k == "apiVersion" {
			key = "APIVersion"
		}
		meta[key] = v
	}
	chartName, _ := meta["Name"].(string)
	if prefix == "" {
		prefix = chartName
	}
	defaults := map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		if defaults, err = readYAMLMap(filepath.Join(dir, "values.yaml")); err != nil {
			return nil, err
		}
	}
	return &chart{dir: dir, meta: meta, defaults: defaults, prefix: prefix}, nil
}

// parseTemplates adds every file under templates/ to the shared set, named
// like Helm names them (<chart>/templates/<path>), and returns the names sorted.
func parseTemplates(tmpl *template.Template, c *chart) ([]string, error) {
	var names []string
	base := filepath.Join(c.dir, "templates")
	err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		n := c.prefix + "/templates/" + filepath.ToSlash(rel)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := tmpl.New(n).Parse(string(src)); err != nil {
			return err
		}
		names = append(names, n)
		return nil
	})
	sort.Strings(names)
	return names, err
}

func funcs(current func() *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env") // Helm removes these two for reproducible renders
	delete(f, "expandenv")
	f["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := current().ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(src string, data interface{}) (string, error) {
		clone, err := current().Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(src)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	f["toYaml"] = func(v interface{}) string {
		b, err := yamlv2.Marshal(normalise(v))
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m, err := decodeYAMLMap([]byte(s))
		if err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return m
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["lookup"] = func(...interface{}) (map[string]interface{}, error) { return map[string]interface{}{}, nil }
	return f
}

func kubeVersionInfo(v string) map[string]interface{} {
	trimmed := strings.TrimPrefix(v, "v")
	parts := strings.SplitN(trimmed, ".", 3)
	major, minor := parts[0], ""
	if len(parts) > 1 {
		minor = parts[1]
	}
	return map[string]interface{}{"Version": v, "GitVersion": v, "Major": major, "Minor": minor}
}

func readYAMLMap(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := decodeYAMLMap(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// decodeYAMLMap decodes like Helm does (YAML -> JSON -> Go), so numbers are
// float64 and maps are map[string]interface{}.
func decodeYAMLMap(b []byte) (map[string]interface{}, error) {
	var v interface{}
	if err := yamlv3.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("top level is not a map: %w", err)
	}
	return m, nil
}

// coalesce returns base overlaid with override, recursively; an explicit null
// in override deletes the key (Helm's rule). Neither input is modified.
func coalesce(base, override map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, bok := out[k].(map[string]interface{})
		om, ook := v.(map[string]interface{})
		if bok && ook {
			out[k] = coalesce(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

// normalise turns integral float64s back into ints so toYaml prints 3600, not
// 3.6e+03, as Helm's JSON-based marshaller does.
func normalise(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, e := range t {
			m[k] = normalise(e)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(t))
		for i, e := range t {
			l[i] = normalise(e)
		}
		return l
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return int64(t)
		}
	}
	return v
}
