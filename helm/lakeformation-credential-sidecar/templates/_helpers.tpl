{{/*
Named templates of lakeformation-credential-sidecar.

PUBLIC (for workload charts; see README.md):
  lfcs.initContainers   the sidecar as a list item when sidecar.mode=native, else nothing
  lfcs.containers       the sidecar as a list item when sidecar.mode=classic, else nothing
  lfcs.sidecarContainer the sidecar as a list item, whatever the mode
  lfcs.volumes          token emptyDir (medium: Memory) + config ConfigMap, as list items
  lfcs.volumeMounts     read-only token mount for consumer containers, as a list item
  lfcs.consumerEnv      AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
  lfcs.podAnnotations   config checksum + eks.amazonaws.com/skip-containers (map entries)
  lfcs.podLabels        the label the PodMonitor selects on (map entries)
  lfcs.serviceAccountName, lfcs.configMapName, lfcs.credentialsUri

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

{{- define "lfcs.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "lfcs.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
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

{{/*
lfcs.configYaml: the sidecar's config file. region, listen, admin and
auth.tokenFile come from values so that the ports and token path can never
disagree with the probes, the consumer env and the mounts.
*/}}
{{- define "lfcs.configYaml" -}}
{{- $region := required "lakeformation-credential-sidecar: `region` is required (the AWS region to call Lake Formation in), e.g. --set region=us-east-1" .Values.region -}}
{{- $fixed := dict
      "region" $region
      "listen" (dict "host" "127.0.0.1" "port" (int .Values.ports.credentials))
      "admin" (dict "host" "0.0.0.0" "port" (int .Values.ports.admin))
      "auth" (dict "tokenFile" (include "lfcs.tokenFile" .)) -}}
{{- toYaml (merge $fixed (deepCopy (.Values.config | default dict))) -}}
{{- end -}}

{{/* lfcs.validate: checks JSON Schema cannot express. Renders nothing. */}}
{{- define "lfcs.validate" -}}
{{- $mode := .Values.sidecar.mode -}}
{{- if not (has $mode (list "native" "classic")) -}}
{{- fail (printf "lakeformation-credential-sidecar: sidecar.mode must be \"native\" or \"classic\", not %q" $mode) -}}
{{- end -}}
{{- $capabilities := get . "Capabilities" -}}
{{- if and (eq $mode "native") $capabilities -}}
{{- if semverCompare "<1.29.0-0" $capabilities.KubeVersion.Version -}}
{{- fail (printf "lakeformation-credential-sidecar: sidecar.mode=native needs Kubernetes >= 1.29 (native sidecars), this cluster is %s; set sidecar.mode=classic" $capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- end -}}
{{- if eq (int .Values.ports.credentials) (int .Values.ports.admin) -}}
{{- fail "lakeformation-credential-sidecar: ports.credentials and ports.admin must differ" -}}
{{- end -}}
{{- with (.Values.config | default dict).shutdown -}}
{{- if and (hasKey . "drainSeconds") (hasKey . "graceSeconds") -}}
{{- if ge (int .drainSeconds) (int .graceSeconds) -}}
{{- fail "lakeformation-credential-sidecar: config.shutdown.graceSeconds must exceed config.shutdown.drainSeconds" -}}
{{- end -}}
{{- end -}}
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
{{- printf "http://127.0.0.1:%d/v1/credentials/%s" (int .Values.ports.credentials) (include "lfcs.profile" .) -}}
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
  value: {{ include "lfcs.tokenFile" . | quote }}
{{- end -}}

{{- define "lfcs.volumeMounts" -}}
- name: {{ .Values.sidecar.tokenVolumeName }}
  mountPath: {{ .Values.sidecar.tokenDir }}
  readOnly: true
{{- end -}}

{{- define "lfcs.volumes" -}}
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

{{- define "lfcs.podLabels" -}}
lakeformation-credential-sidecar/instance: {{ include "lfcs.fullname" . }}
{{- end -}}

{{/*
lfcs.podAnnotations: roll pods when the sidecar config changes, and keep the
EKS IRSA / Pod Identity webhook away from consumer containers (its variables
would win over the sidecar in every SDK's default chain).
*/}}
{{- define "lfcs.podAnnotations" -}}
checksum/lfcs-config: {{ include "lfcs.configYaml" . | sha256sum }}
{{- $consumers := get . "consumers" | default .Values.sidecar.consumerContainers }}
{{- if $consumers }}
eks.amazonaws.com/skip-containers: {{ join "," $consumers | quote }}
{{- end }}
{{- end -}}

{{/*
lfcs.memory: the sidecar's memory request and limit, derived from
config.cache.maxEntries so the defaults can never be OOM-killed (as JSON:
requestMi, limitMi, oldSpaceMi). With sidecar.memory's measured figures
(bench/RESULTS.md):
  request = baseMi + maxEntries * perEntryKi / 1024
  limit   = request + maxEntries * perEntryKi / 1024 + headroomMi
            (twice the entries' share: the old generation is collected late)
  V8 old space = limit * oldSpacePercent / 100, so V8 collects before the
            kernel's limit is hit.
An explicit sidecar.resources.requests.memory / limits.memory wins; with an
explicit limit, NODE_OPTIONS is left to sidecar.env.
*/}}
{{- define "lfcs.memory" -}}
{{- $m := .Values.sidecar.memory -}}
{{- $entries := int (dig "cache" "maxEntries" 10000 (.Values.config | default dict)) -}}
{{- $entriesMi := div (add (mul $entries (int $m.perEntryKi)) 1023) 1024 -}}
{{- $request := add (int $m.baseMi) $entriesMi -}}
{{- $limit := add $request $entriesMi (int $m.headroomMi) -}}
{{- $oldSpace := div (mul $limit (int $m.oldSpacePercent)) 100 -}}
{{- dict "requestMi" $request "limitMi" $limit "oldSpaceMi" $oldSpace | toJson -}}
{{- end -}}

{{- define "lfcs.sidecarContainer" -}}
{{- include "lfcs.validate" . -}}
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
  env:
    {{- $userEnv := .Values.sidecar.env | default list }}
    {{- $hasNodeOptions := false }}
    {{- range $userEnv }}{{ if eq .name "NODE_OPTIONS" }}{{ $hasNodeOptions = true }}{{ end }}{{ end }}
    {{- $limitSet := hasKey ((.Values.sidecar.resources | default dict).limits | default dict) "memory" }}
    {{- if not (or $hasNodeOptions $limitSet) }}
    # V8 collects before the container limit is reached (lfcs.memory).
    - name: NODE_OPTIONS
      value: {{ printf "--max-old-space-size=%d --max-semi-space-size=1" (int (include "lfcs.memory" . | fromJson).oldSpaceMi) | quote }}
    {{- end }}
    {{- with $userEnv }}
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
    {{- $memory := include "lfcs.memory" . | fromJson }}
    {{- $resources := deepCopy (.Values.sidecar.resources | default dict) }}
    {{- $requests := $resources.requests | default dict }}
    {{- $limits := $resources.limits | default dict }}
    {{- if not (hasKey $requests "memory") }}{{ $_ := set $requests "memory" (printf "%dMi" (int $memory.requestMi)) }}{{ end }}
    {{- if not (hasKey $limits "memory") }}{{ $_ := set $limits "memory" (printf "%dMi" (int $memory.limitMi)) }}{{ end }}
    {{- $_ := set $resources "requests" $requests }}
    {{- $_ := set $resources "limits" $limits }}
    {{- toYaml $resources | nindent 4 }}
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
{{- if eq .Values.sidecar.mode "native" -}}
{{ include "lfcs.sidecarContainer" . }}
{{- else -}}
{{- include "lfcs.validate" . -}}
{{- end -}}
{{- end -}}

{{- define "lfcs.containers" -}}
{{- if eq .Values.sidecar.mode "classic" -}}
{{ include "lfcs.sidecarContainer" . }}
{{- end -}}
{{- end -}}
