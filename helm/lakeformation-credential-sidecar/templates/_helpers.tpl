{{/*
Named templates of lakeformation-credential-sidecar.

PUBLIC (for workload charts; see README.md):
  lfcs.initContainers   the sidecar as a list item when sidecar.mode=native, else nothing
  lfcs.containers       the sidecar as a list item when sidecar.mode=classic, else nothing
  lfcs.sidecarContainer the sidecar as a list item, whatever the mode
  lfcs.volumes          token emptyDir (medium: Memory) + config ConfigMap, as list items
  lfcs.volumeMounts     read-only token mount for consumer containers, as a list item
  lfcs.consumerEnv      AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
                        (+ AWS_ENDPOINT_URL_LAKEFORMATION when lakeformationApi.enabled)
  lfcs.lakeformationApiEnv  AWS_ENDPOINT_URL_LAKEFORMATION alone, for a consumer that calls Lake
                        Formation itself (Iceberg) and needs no profile
  lfcs.podAnnotations   config checksum + eks.amazonaws.com/skip-containers (map entries)
  lfcs.podLabels        the label the PodMonitor selects on (map entries)
  lfcs.serviceAccountName  the ServiceAccount consumer pods run as: lfcs's own in
                        sidecar mode, agent.consumer.serviceAccountName in agent
                        mode (never the agent's: it fails while that is unset)
  lfcs.configMapName, lfcs.credentialsUri

In agent mode (config.mode: agent) the same names render the consumer side of
the node agent: lfcs.initContainers and lfcs.containers render nothing,
lfcs.volumes the projected service-account token (audience
config.agent.audience), lfcs.volumeMounts its read-only mount,
lfcs.consumerEnv the agent's URI (http://<config.agent.host>[:port]) and the
token file, lfcs.podAnnotations only eks.amazonaws.com/skip-containers and
lfcs.podLabels nothing (consumer pods have no lfcs to scrape). The agent
itself is this chart's DaemonSet (templates/agent-daemonset.yaml), rendered
only with agent.install (default true): a workload chart that depends on this
chart sets agent.install: false and gets the consumer templates alone.

Context: this chart's root context (`.`) or, from a parent chart that has this
chart as a dependency aliased `lfcs`:
  (dict "Values" .Values.lfcs "Release" .Release "Capabilities" .Capabilities)
Helm puts this chart's defaults under .Values.lfcs, so the dict sees the same
values the chart's own templates see. Optional keys in the context:
  profile    (lfcs.consumerEnv, lfcs.credentialsUri) instead of sidecar.profile
  consumers  (lfcs.podAnnotations) list of container names instead of sidecar.consumerContainers
The public templates read only .Values, .Release and (optionally) .Capabilities,
never .Chart, so names come out the same from either context. Optional keys
are read with `get`, so a missing one is never a template error, even in
Helm's strict engine mode (missingkey=error; `helm lint --strict` only makes
lint warnings fatal).
*/}}

{{- define "lfcs.name" -}}
{{- default "lfcs" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lfcs.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "lfcs.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels for this chart's own objects (rendered in this chart's context). */}}
{{- define "lfcs.labels" -}}
{{- with .Chart -}}
helm.sh/chart: {{ printf "%s-%s" .Name .Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}{{ "\n" }}
{{- end -}}
{{ include "lfcs.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | default "Helm" }}
{{- end -}}

{{- define "lfcs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lfcs.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
lfcs.ownServiceAccountName (internal): the ServiceAccount lfcs itself runs as
and gets its IAM role through (IRSA / Pod Identity): the sidecar's pods, or
the agent DaemonSet. Only this chart's own objects use it.
*/}}
{{- define "lfcs.ownServiceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "lfcs.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
lfcs.serviceAccountName (public): the ServiceAccount a CONSUMER pod runs as.
Sidecar mode: lfcs's own (the sidecar in the pod takes the role; the
consumers are kept out of it by lfcs.podAnnotations). Agent mode: never the
agent's, which holds the role Lake Formation grants every tenant's rights: a
pod running as it would hold them all, bindings or not. So in agent mode it
is agent.consumer.serviceAccountName (the pod's own ServiceAccount, named in
config.agent.bindings), and rendering fails while that is empty or names the
agent's.
*/}}
{{- define "lfcs.serviceAccountName" -}}
{{- if include "lfcs.agentMode" . -}}
{{- $name := ((.Values.agent | default dict).consumer | default dict).serviceAccountName | default "" | toString -}}
{{- if not $name -}}
{{- fail "lakeformation-credential-sidecar: in agent mode lfcs.serviceAccountName does not hand out the agent's ServiceAccount (it carries lfcs's IAM role with every tenant's rights): run the consumer pods as their own ServiceAccount, the one config.agent.bindings names, by setting agent.consumer.serviceAccountName to it (or write that name into spec.serviceAccountName instead of including lfcs.serviceAccountName)" -}}
{{- end -}}
{{- if eq $name (include "lfcs.ownServiceAccountName" .) -}}
{{- fail (printf "lakeformation-credential-sidecar: agent.consumer.serviceAccountName %q is the agent's own ServiceAccount (serviceAccount.name), which carries lfcs's IAM role with every tenant's rights: consumer pods must run as a ServiceAccount of their own, bound in config.agent.bindings" $name) -}}
{{- end -}}
{{- $name -}}
{{- else -}}
{{- include "lfcs.ownServiceAccountName" . -}}
{{- end -}}
{{- end -}}

{{/* lfcs.agentInstalled: "true" in agent mode when this release runs the agent (agent.install), else empty. */}}
{{- define "lfcs.agentInstalled" -}}
{{- if and (include "lfcs.agentMode" .) (ne (toString (get (.Values.agent | default dict) "install")) "false") -}}true{{- end -}}
{{- end -}}

{{/*
lfcs.ownObjects: "true" when this release renders lfcs's own objects
(ConfigMap, ServiceAccount, PodMonitor, dashboard): always in sidecar mode,
in agent mode only where the agent is installed. A workload chart with
agent.install: false uses the named templates only.
*/}}
{{- define "lfcs.ownObjects" -}}
{{- if or (not (include "lfcs.agentMode" .)) (include "lfcs.agentInstalled" .) -}}true{{- end -}}
{{- end -}}

{{- define "lfcs.configMapName" -}}
{{- include "lfcs.fullname" . -}}
{{- end -}}

{{- define "lfcs.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}
{{- end -}}

{{- define "lfcs.tokenFile" -}}
{{- printf "%s/token" (trimSuffix "/" .Values.sidecar.tokenDir) -}}
{{- end -}}

{{/* lfcs.agentMode: "true" when config.mode is agent, else empty. The one switch. */}}
{{- define "lfcs.agentMode" -}}
{{- if eq (toString (get (.Values.config | default dict) "mode" | default "sidecar")) "agent" -}}true{{- end -}}
{{- end -}}

{{/*
lfcs.agent: where the agent listens and what audience it wants, as JSON
(host, port, audience, urlHost, prefix), read from config.agent only. The
defaults are lfcs's own (src/identity/settings.ts; a test keeps them equal),
so leaving a key out of config.agent means the same to the chart and to lfcs.
*/}}
{{- define "lfcs.agent" -}}
{{- $a := get (.Values.config | default dict) "agent" | default dict -}}
{{- $host := toString (get $a "host" | default "169.254.170.2") -}}
{{- $port := 80 -}}
{{- if hasKey $a "port" -}}{{- $port = int (get $a "port") -}}{{- end -}}
{{- $ipv6 := contains ":" $host -}}
{{- dict "host" $host "port" $port "audience" (toString (get $a "audience" | default "lfcs")) "urlHost" (ternary (printf "[%s]" $host) $host $ipv6) "prefix" (ternary 128 32 $ipv6) | toJson -}}
{{- end -}}

{{/* lfcs.consumerTokenFile: the token file consumer containers name in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. */}}
{{- define "lfcs.consumerTokenFile" -}}
{{- if include "lfcs.agentMode" . -}}
{{- printf "%s/token" (trimSuffix "/" .Values.agent.consumer.tokenDir) -}}
{{- else -}}
{{- include "lfcs.tokenFile" . -}}
{{- end -}}
{{- end -}}

{{/* lfcs.icebergEnabled: "true" when config.iceberg.enabled, else empty. */}}
{{- define "lfcs.icebergEnabled" -}}
{{- if ((.Values.config | default dict).iceberg | default dict).enabled -}}true{{- end -}}
{{- end -}}

{{/*
lfcs.icebergUri: the Iceberg REST catalog uri engines in the pod give the
gateway (their catalog `uri`; the catalog `token` is the token file's content).
Renders nothing unless config.iceberg.enabled.
*/}}
{{- define "lfcs.icebergUri" -}}
{{- if include "lfcs.icebergEnabled" . -}}
{{- printf "http://127.0.0.1:%d" (int .Values.ports.iceberg) -}}
{{- end -}}
{{- end -}}

{{/* lfcs.monitorLabels: the label the PodMonitor selects on: sidecar pods (lfcs.podLabels) or the agent's pods. */}}
{{- define "lfcs.monitorLabels" -}}
lakeformation-credential-sidecar/instance: {{ include "lfcs.fullname" . }}
{{- end -}}

{{/*
lfcs.configYaml: the sidecar's config file. region, listen, admin,
lakeformationApi, iceberg.host/port and auth.tokenFile come from values so that
the ports and token path can never disagree with the probes, the consumer env,
NOTES and the mounts.
*/}}
{{- define "lfcs.configYaml" -}}
{{- $region := required "lakeformation-credential-sidecar: `region` is required (the AWS region to call Lake Formation in), e.g. --set region=us-east-1" .Values.region -}}
{{- $fixed := dict
      "region" $region
      "admin" (dict "host" "0.0.0.0" "port" (int .Values.ports.admin)) -}}
{{- if not (include "lfcs.agentMode" .) -}}
{{- /* The agent listens on config.agent.host:port and takes each pod's own token: no listen, no shared token. */ -}}
{{- $_ := set $fixed "listen" (dict "host" "127.0.0.1" "port" (int .Values.ports.credentials)) -}}
{{- $_ := set $fixed "auth" (dict "tokenFile" (include "lfcs.tokenFile" .)) -}}
{{- end -}}
{{- if (.Values.lakeformationApi | default dict).enabled -}}
{{- $_ := set $fixed "lakeformationApi" (dict "enabled" true "host" "127.0.0.1" "port" (int .Values.ports.lakeformationApi)) -}}
{{- end -}}
{{- if include "lfcs.icebergEnabled" . -}}
{{- $_ := set $fixed "iceberg" (dict "host" "127.0.0.1" "port" (int .Values.ports.iceberg)) -}}
{{- end -}}
{{- toYaml (merge $fixed (deepCopy (.Values.config | default dict))) -}}
{{- end -}}

{{/* lfcs.validate: checks JSON Schema cannot express. Renders nothing. */}}
{{- define "lfcs.validate" -}}
{{- $mode := .Values.sidecar.mode -}}
{{- if not (has $mode (list "native" "classic")) -}}
{{- fail (printf "lakeformation-credential-sidecar: sidecar.mode must be \"native\" or \"classic\", not %q" $mode) -}}
{{- end -}}
{{- $capabilities := get . "Capabilities" -}}
{{- if include "lfcs.agentMode" . -}}
{{- include "lfcs.validateAgent" . -}}
{{- else if and (eq $mode "native") $capabilities -}}
{{- if semverCompare "<1.29.0-0" $capabilities.KubeVersion.Version -}}
{{- fail (printf "lakeformation-credential-sidecar: sidecar.mode=native needs Kubernetes >= 1.29 (native sidecars), this cluster is %s; set sidecar.mode=classic" $capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- end -}}
{{- if eq (int .Values.ports.credentials) (int .Values.ports.admin) -}}
{{- fail "lakeformation-credential-sidecar: ports.credentials and ports.admin must differ" -}}
{{- end -}}
{{- if (.Values.lakeformationApi | default dict).enabled -}}
{{- if has (int .Values.ports.lakeformationApi) (list (int .Values.ports.credentials) (int .Values.ports.admin)) -}}
{{- fail "lakeformation-credential-sidecar: ports.lakeformationApi must differ from ports.credentials and ports.admin" -}}
{{- end -}}
{{- if not ((.Values.config | default dict).dynamic | default dict).enabled -}}
{{- fail "lakeformation-credential-sidecar: lakeformationApi.enabled needs config.dynamic.enabled: true and config.dynamic.allowedTables (the tables its callers may name)" -}}
{{- end -}}
{{- end -}}
{{- if include "lfcs.icebergEnabled" . -}}
{{- $iceberg := (.Values.config | default dict).iceberg -}}
{{- if or (hasKey $iceberg "host") (hasKey $iceberg "port") -}}
{{- fail "lakeformation-credential-sidecar: leave config.iceberg.host and config.iceberg.port out: the gateway listens on 127.0.0.1:ports.iceberg, which the chart sets" -}}
{{- end -}}
{{- $taken := list (int .Values.ports.credentials) (int .Values.ports.admin) -}}
{{- if (.Values.lakeformationApi | default dict).enabled -}}{{- $taken = append $taken (int .Values.ports.lakeformationApi) -}}{{- end -}}
{{- if has (int .Values.ports.iceberg) $taken -}}
{{- fail "lakeformation-credential-sidecar: ports.iceberg must differ from ports.credentials, ports.admin and (when enabled) ports.lakeformationApi" -}}
{{- end -}}
{{- if not ((.Values.config | default dict).dynamic | default dict).enabled -}}
{{- fail "lakeformation-credential-sidecar: config.iceberg.enabled needs config.dynamic.enabled: true and config.dynamic.allowedTables (the tables the gateway serves)" -}}
{{- end -}}
{{- end -}}
{{- with (.Values.config | default dict).shutdown -}}
{{- if and (hasKey . "drainSeconds") (hasKey . "graceSeconds") -}}
{{- if ge (int .drainSeconds) (int .graceSeconds) -}}
{{- fail "lakeformation-credential-sidecar: config.shutdown.graceSeconds must exceed config.shutdown.drainSeconds" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* lfcs.validateAgent: agent mode's checks (part of lfcs.validate). Renders nothing. */}}
{{- define "lfcs.validateAgent" -}}
{{- $capabilities := get . "Capabilities" -}}
{{- if $capabilities -}}
{{- if semverCompare "<1.30.0-0" $capabilities.KubeVersion.Version -}}
{{- fail (printf "lakeformation-credential-sidecar: config.mode=agent needs Kubernetes >= 1.30 (projected service-account tokens name the pod's node in kubernetes.io.node from 1.30, ServiceAccountTokenPodNodeInfo), this cluster is %s; use the sidecar (config.mode: sidecar)" $capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- end -}}
{{- $config := .Values.config | default dict -}}
{{- $a := get $config "agent" | default dict -}}
{{- if hasKey $a "nodeName" -}}
{{- fail "lakeformation-credential-sidecar: leave config.agent.nodeName out: every agent serves the node it runs on, and the chart sets it from spec.nodeName (LFCS_AGENT_NODE_NAME)" -}}
{{- end -}}
{{- $agent := include "lfcs.agent" . | fromJson -}}
{{- if not (has $agent.host (list "169.254.170.2" "169.254.170.23" "fd00:ec2::23")) -}}
{{- fail (printf "lakeformation-credential-sidecar: config.agent.host must be 169.254.170.2 (the default), 169.254.170.23 or fd00:ec2::23, the link-local addresses the SDKs accept over plain HTTP and pods reach on their node, not %q (169.254.170.23 and fd00:ec2::23 belong to the EKS Pod Identity Agent where it runs)" $agent.host) -}}
{{- end -}}
{{- if eq (int $agent.port) 0 -}}
{{- fail "lakeformation-credential-sidecar: config.agent.port must be a fixed port (1-65535) in the chart: the consumers' AWS_CONTAINER_CREDENTIALS_FULL_URI names it" -}}
{{- end -}}
{{- if eq (int $agent.port) (int .Values.ports.admin) -}}
{{- fail "lakeformation-credential-sidecar: config.agent.port and ports.admin must differ (both listen on the node)" -}}
{{- end -}}
{{- if include "lfcs.icebergEnabled" . -}}
{{- fail "lakeformation-credential-sidecar: config.iceberg.enabled must be false in agent mode: the gateway listens on loopback only, which the node's pods cannot reach (sidecar mode serves it)" -}}
{{- end -}}
{{- if (.Values.lakeformationApi | default dict).enabled -}}
{{- fail "lakeformation-credential-sidecar: lakeformationApi.enabled must be false in agent mode: that listener takes no token, and on a node every hostNetwork pod could reach it" -}}
{{- end -}}
{{- if include "lfcs.agentInstalled" . -}}
{{- $own := include "lfcs.ownServiceAccountName" . -}}
{{- range (get $a "bindings" | default list) -}}
{{- if and (eq (toString .namespace) $.Release.Namespace) (eq (toString .serviceAccount) $own) -}}
{{- fail (printf "lakeformation-credential-sidecar: config.agent.bindings names %s/%s, the agent's own ServiceAccount: it carries lfcs's IAM role with every tenant's rights, so no consumer pod may run as it; bind the consumers' own ServiceAccounts (and set agent.consumer.serviceAccountName for lfcs.serviceAccountName)" $.Release.Namespace $own) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if gt (len .Values.agent.addressSetup.interface) 15 -}}
{{- fail "lakeformation-credential-sidecar: agent.addressSetup.interface must be at most 15 characters (Linux IFNAMSIZ)" -}}
{{- end -}}
{{- end -}}

{{/* lfcs.profile: the profile a consumer template refers to, checked to exist. */}}
{{- define "lfcs.profile" -}}
{{- $profile := get . "profile" | default .Values.sidecar.profile -}}
{{- if not $profile -}}
{{- fail "lakeformation-credential-sidecar: no profile for the consumer: set sidecar.profile, or pass `profile` in the include context" -}}
{{- end -}}
{{- $profiles := (.Values.config | default dict).profiles | default dict -}}
{{- if not (hasKey $profiles $profile) -}}
{{- fail (printf "lakeformation-credential-sidecar: profile %q is not defined in config.profiles (defined: %s)" $profile (keys $profiles | sortAlpha | join ", " | default "none")) -}}
{{- end -}}
{{- $profile -}}
{{- end -}}

{{/* lfcs.credentialsUri: FULL_URI of one profile. Always 127.0.0.1: the one
plain-HTTP host every SDK version accepts, and unlike localhost it can never
resolve to ::1 while the listener is bound to IPv4 loopback. */}}
{{- define "lfcs.credentialsUri" -}}
{{- if include "lfcs.agentMode" . -}}
{{- /* The agent: its link-local address, the port only when not 80 (the SDKs accept any port in a FULL_URI). */ -}}
{{- $agent := include "lfcs.agent" . | fromJson -}}
{{- $port := ternary "" (printf ":%d" (int $agent.port)) (eq (int $agent.port) 80) -}}
{{- printf "http://%s%s/v1/credentials/%s" $agent.urlHost $port (include "lfcs.profile" .) -}}
{{- else -}}
{{- printf "http://127.0.0.1:%d/v1/credentials/%s" (int .Values.ports.credentials) (include "lfcs.profile" .) -}}
{{- end -}}
{{- end -}}

{{/*
lfcs.consumerEnv: the two variables every AWS SDK's default chain reads.
Never AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (botocore, Java and Rust prefer it
and would call 169.254.170.2), and only the token FILE, not also
AWS_CONTAINER_AUTHORIZATION_TOKEN: SDKs disagree on which of the two wins.
*/}}
{{- define "lfcs.consumerEnv" -}}
- name: AWS_CONTAINER_CREDENTIALS_FULL_URI
  value: {{ include "lfcs.credentialsUri" . | quote }}
- name: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
  value: {{ include "lfcs.consumerTokenFile" . | quote }}
{{- if (.Values.lakeformationApi | default dict).enabled }}
{{ include "lfcs.lakeformationApiEnv" . }}
{{- end }}
{{- end -}}

{{/*
lfcs.lakeformationApiEnv: sends the consumer's own Lake Formation client
(Iceberg's LakeFormationAwsClientFactory, boto3, the AWS CLI) to the sidecar's
Lake Formation API listener. The AWS SDKs read it (Java v2 >= 2.28.1). Renders
nothing unless lakeformationApi.enabled.
*/}}
{{- define "lfcs.lakeformationApiEnv" -}}
{{- if (.Values.lakeformationApi | default dict).enabled -}}
- name: AWS_ENDPOINT_URL_LAKEFORMATION
  value: {{ printf "http://127.0.0.1:%d" (int .Values.ports.lakeformationApi) | quote }}
{{- end -}}
{{- end -}}

{{- define "lfcs.volumeMounts" -}}
{{- if include "lfcs.agentMode" . -}}
- name: {{ .Values.agent.consumer.tokenVolumeName }}
  mountPath: {{ .Values.agent.consumer.tokenDir }}
  readOnly: true
{{- else -}}
- name: {{ .Values.sidecar.tokenVolumeName }}
  mountPath: {{ .Values.sidecar.tokenDir }}
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "lfcs.volumes" -}}
{{- if include "lfcs.agentMode" . -}}
{{- /* The pod's own token for the agent: audience from config.agent, rotated by the kubelet at 80% of its life. */ -}}
- name: {{ .Values.agent.consumer.tokenVolumeName }}
  projected:
    sources:
      - serviceAccountToken:
          audience: {{ (include "lfcs.agent" . | fromJson).audience | quote }}
          expirationSeconds: {{ int .Values.agent.consumer.expirationSeconds }}
          path: token
{{- else -}}
- name: {{ .Values.sidecar.tokenVolumeName }}
  emptyDir:
    medium: Memory
    sizeLimit: 1Mi
- name: {{ .Values.sidecar.configVolumeName }}
  configMap:
    name: {{ include "lfcs.configMapName" . }}
    items:
      - key: config.yaml
        path: config.yaml
{{- end -}}
{{- end -}}

{{- define "lfcs.podLabels" -}}
{{- if not (include "lfcs.agentMode" .) -}}
{{ include "lfcs.monitorLabels" . }}
{{- end -}}
{{- end -}}

{{/*
lfcs.podAnnotations: roll pods when the sidecar config changes, and keep the
EKS IRSA / Pod Identity webhook away from consumer containers (its variables
would win over the sidecar in every SDK's default chain).
*/}}
{{- define "lfcs.podAnnotations" -}}
{{- $lines := list -}}
{{- if not (include "lfcs.agentMode" .) -}}
{{- /* Consumers of the agent mount no lfcs config: nothing to roll them on. */ -}}
{{- $lines = append $lines (printf "checksum/lfcs-config: %s" (include "lfcs.configYaml" . | sha256sum)) -}}
{{- end -}}
{{- $consumers := get . "consumers" | default .Values.sidecar.consumerContainers -}}
{{- if $consumers -}}
{{- $lines = append $lines (printf "eks.amazonaws.com/skip-containers: %s" (join "," $consumers | quote)) -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}

{{/*
lfcs.memory: the sidecar's memory request and limit, derived from
config.cache.maxEntries so the defaults can never be OOM-killed (as JSON:
requestMi, limitMi). With sidecar.memory's measured figures, generated from
lfcs's own memory model (src/cli/v8-options.ts, `npm run generate`):
  request = baseMi + maxEntries * perEntryKi / 1024
  limit   = request + maxEntries * perEntryKi / 1024 + headroomMi
            (twice the entries' share: the old generation is collected late)
The chart sets no V8 option: lfcs reads this limit from its cgroup and
bounds its own heap below it (the same code outside the chart). An explicit
sidecar.resources.requests.memory / limits.memory wins.
*/}}
{{- define "lfcs.memory" -}}
{{- $m := .Values.sidecar.memory -}}
{{- $entries := int (dig "cache" "maxEntries" 10000 (.Values.config | default dict)) -}}
{{- $entriesMi := div (add (mul $entries (int $m.perEntryKi)) 1023) 1024 -}}
{{- $request := add (int $m.baseMi) $entriesMi -}}
{{- $limit := add $request $entriesMi (int $m.headroomMi) -}}
{{- dict "requestMi" $request "limitMi" $limit | toJson -}}
{{- end -}}

{{/* lfcs.resources: `resources` with the memory request and limit of lfcs.memory where it sets none. Context: dict root, resources. */}}
{{- define "lfcs.resources" -}}
{{- $memory := include "lfcs.memory" .root | fromJson -}}
{{- $resources := deepCopy (.resources | default dict) -}}
{{- $requests := $resources.requests | default dict -}}
{{- $limits := $resources.limits | default dict -}}
{{- if not (hasKey $requests "memory") }}{{ $_ := set $requests "memory" (printf "%dMi" (int $memory.requestMi)) }}{{ end -}}
{{- if not (hasKey $limits "memory") }}{{ $_ := set $limits "memory" (printf "%dMi" (int $memory.limitMi)) }}{{ end -}}
{{- $_ := set $resources "requests" $requests -}}
{{- $_ := set $resources "limits" $limits -}}
{{- toYaml $resources -}}
{{- end -}}

{{- define "lfcs.sidecarContainer" -}}
{{- include "lfcs.validate" . -}}
{{- if include "lfcs.agentMode" . -}}
{{- fail "lakeformation-credential-sidecar: config.mode=agent runs lfcs as this chart's DaemonSet, not as a sidecar: include lfcs.initContainers / lfcs.containers (they render nothing in agent mode), not lfcs.sidecarContainer" -}}
{{- end -}}
{{- $admin := int .Values.ports.admin -}}
- name: {{ .Values.sidecar.containerName }}
  image: {{ include "lfcs.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if eq .Values.sidecar.mode "native" }}
  # Native sidecar: runs for the pod's whole life, started before and
  # stopped after the regular containers.
  restartPolicy: Always
  {{- end }}
  args:
    - serve
    - --config
    - /etc/lfcs/config.yaml
    {{- range .Values.sidecar.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  {{- with .Values.sidecar.env }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    # Only the admin port: the credentials port listens on 127.0.0.1.
    - name: lfcs-admin
      containerPort: {{ $admin }}
      protocol: TCP
  startupProbe:
    httpGet:
      path: /readyz
      port: {{ $admin }}
    {{- toYaml .Values.sidecar.startupProbe | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: {{ $admin }}
    {{- toYaml .Values.sidecar.readinessProbe | nindent 4 }}
  livenessProbe:
    httpGet:
      path: /healthz
      port: {{ $admin }}
    {{- toYaml .Values.sidecar.livenessProbe | nindent 4 }}
  resources:
    {{- include "lfcs.resources" (dict "root" . "resources" .Values.sidecar.resources) | nindent 4 }}
  securityContext:
    {{- toYaml .Values.sidecar.securityContext | nindent 4 }}
  terminationMessagePolicy: FallbackToLogsOnError
  volumeMounts:
    - name: {{ .Values.sidecar.tokenVolumeName }}
      mountPath: {{ .Values.sidecar.tokenDir }}
    - name: {{ .Values.sidecar.configVolumeName }}
      mountPath: /etc/lfcs
      readOnly: true
{{- end -}}

{{- define "lfcs.initContainers" -}}
{{- if include "lfcs.agentMode" . -}}
{{- include "lfcs.validate" . -}}
{{- else if eq .Values.sidecar.mode "native" -}}
{{ include "lfcs.sidecarContainer" . }}
{{- else -}}
{{- include "lfcs.validate" . -}}
{{- end -}}
{{- end -}}

{{- define "lfcs.containers" -}}
{{- if include "lfcs.agentMode" . -}}
{{- include "lfcs.validate" . -}}
{{- else if eq .Values.sidecar.mode "classic" -}}
{{ include "lfcs.sidecarContainer" . }}
{{- end -}}
{{- end -}}
