{{/*
Expand the name of the chart.
*/}}
{{- define "astrid.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "astrid.fullname" -}}
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

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "astrid.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "astrid.labels" -}}
helm.sh/chart: {{ include "astrid.chart" . }}
{{ include "astrid.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: astrid
{{- end }}

{{/*
Selector labels
*/}}
{{- define "astrid.selectorLabels" -}}
app.kubernetes.io/name: {{ include "astrid.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The api component: its name (<fullname>-api), labels and selector labels.
*/}}
{{- define "astrid.api.fullname" -}}
{{- printf "%s-api" (include "astrid.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The api Service's name: <api fullname>-service. A Service name is a DNS-1035 label
(at most 63 characters), so the base is cut to leave room for the suffix.
*/}}
{{- define "astrid.api.serviceName" -}}
{{- printf "%s-service" (include "astrid.api.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{- define "astrid.api.labels" -}}
{{ include "astrid.labels" . }}
app.kubernetes.io/component: api
{{- end }}

{{- define "astrid.api.selectorLabels" -}}
{{ include "astrid.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{/*
The api image: repository@digest when a digest is set, else repository:tag (the tag defaulting to
the chart's appVersion).
*/}}
{{- define "astrid.api.image" -}}
{{- with .Values.api.image }}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository (.tag | default $.Chart.AppVersion) }}
{{- end }}
{{- end }}
{{- end }}
