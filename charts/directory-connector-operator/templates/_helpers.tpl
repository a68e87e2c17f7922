{{- define "dco.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dco.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dco.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dco.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dco.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "dco.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "dco.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dco.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dco.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "dco.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{- define "dco.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{- define "dco.leaseName" -}}
{{- default (include "dco.fullname" .) .Values.leaderElection.id }}
{{- end }}

{{- define "dco.metricsServiceName" -}}
{{- printf "%s-metrics" (include "dco.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* renderMode gate for prometheus-operator kinds: $ctx = dict "root" . "mode" renderMode */}}
{{- define "dco.renderMonitoring" -}}
{{- $mode := .mode }}
{{- if eq $mode "alwaysRender" }}true
{{- else if .root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}true
{{- else if eq $mode "failIfMissing" }}{{ fail "monitoring.coreos.com/v1 is not served by this cluster: install prometheus-operator, or set renderMode to skipIfMissing or alwaysRender" }}
{{- end }}
{{- end }}

{{/* The RBAC rules for DirectorySyncs and what they reference; one list for the ClusterRole and each Role. */}}
{{- define "dco.rules" -}}
# Informer (list+watch) and the reconciler's fresh read.
- apiGroups: ["directoryconnector.dev"]
  resources: ["directorysyncs"]
  verbs: ["get", "list", "watch"]
# Status is written with a merge patch on the status subresource.
- apiGroups: ["directoryconnector.dev"]
  resources: ["directorysyncs/status"]
  verbs: ["patch"]
# Referenced API keys, bind passwords, CA bundles and file exports; watched so a rotation triggers a sync.
- apiGroups: [""]
  resources: ["secrets", "configmaps"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* A duration as Kubernetes writes it (15s, 1m30s, 500ms) in 100 ns ticks, truncated as the operator parses it. */}}
{{- define "dco.durationTicks" -}}
{{- $ticksPerUnit := dict "ns" 0.01 "us" 10.0 "µs" 10.0 "ms" 10000.0 "s" 10000000.0 "m" 600000000.0 "h" 36000000000.0 }}
{{- $total := 0.0 }}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h)" . -1 }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" . }}
{{- $total = addf $total (mulf (float64 $number) (get $ticksPerUnit (trimPrefix $number .))) }}
{{- end }}
{{- /* The epsilon absorbs float error (0.3s is 2999999.9999… in binary), far below one tick. */}}
{{- floor (addf $total 0.001) }}
{{- end }}

{{/* The operator's own rule (OperatorOptions.Validate, after client-go's leader election): refused here, at helm
install/template, instead of a pod that exits 2 on start. */}}
{{- define "dco.validateLeaderElection" -}}
{{- if eq (include "dco.leaderElection" .) "true" }}
{{- $e := .Values.leaderElection }}
{{- $lease := float64 (include "dco.durationTicks" $e.leaseDuration) }}
{{- $renew := float64 (include "dco.durationTicks" $e.renewDeadline) }}
{{- $retry := float64 (include "dco.durationTicks" $e.retryPeriod) }}
{{- $got := printf "got leaderElection.leaseDuration %s, leaderElection.renewDeadline %s, leaderElection.retryPeriod %s" $e.leaseDuration $e.renewDeadline $e.retryPeriod }}
{{- $fix := "" }}
{{- if le $retry 0.0 }}
{{- $fix = "set leaderElection.retryPeriod above 0 (default 2s)" }}
{{- else if le $renew $retry }}
{{- $fix = printf "set leaderElection.renewDeadline longer than leaderElection.retryPeriod (%s), or retryPeriod shorter (defaults: renewDeadline 10s, retryPeriod 2s)" $e.retryPeriod }}
{{- else if le $lease $renew }}
{{- $fix = printf "set leaderElection.leaseDuration longer than leaderElection.renewDeadline (%s), or renewDeadline shorter (defaults: leaseDuration 15s, renewDeadline 10s)" $e.renewDeadline }}
{{- end }}
{{- if $fix }}
{{- fail (printf "leader election needs leaseDuration > renewDeadline > retryPeriod > 0; %s: %s." $got $fix) }}
{{- end }}
{{- end }}
{{- end }}
