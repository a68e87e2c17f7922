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
