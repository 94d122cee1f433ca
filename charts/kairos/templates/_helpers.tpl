{{/* Chart name, possibly overridden. */}}
{{- define "kairos.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name used for every object. */}}
{{- define "kairos.fullname" -}}
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

{{- define "kairos.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kairos.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kairos.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kairos.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kairos.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret the chart makes (secret key, and the database password when given as a value). */}}
{{- define "kairos.secretName" -}}
{{- include "kairos.fullname" . }}
{{- end }}

{{/* Secret key: the user's Secret, or ours. */}}
{{- define "kairos.secretKeySecret" -}}
{{- default (include "kairos.secretName" .) .Values.secretKey.existingSecret }}
{{- end }}
{{- define "kairos.secretKeyKey" -}}
{{- if .Values.secretKey.existingSecret }}{{ .Values.secretKey.existingSecretKey }}{{ else }}secret-key{{ end }}
{{- end }}

{{/* Whether a database password is wired in at all, and from which Secret. */}}
{{- define "kairos.hasDatabasePassword" -}}
{{- if and .Values.database.url (or .Values.database.password .Values.database.existingSecret) }}true{{ end }}
{{- end }}
{{- define "kairos.databaseSecret" -}}
{{- default (include "kairos.secretName" .) .Values.database.existingSecret }}
{{- end }}
{{- define "kairos.databaseKey" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecretKey }}{{ else }}database-password{{ end }}
{{- end }}

{{/* SQLite in a PersistentVolumeClaim: only without PostgreSQL. */}}
{{- define "kairos.usesClaim" -}}
{{- if and .Values.persistence.enabled (not .Values.database.url) }}true{{ end }}
{{- end }}
{{- define "kairos.claimName" -}}
{{- default (printf "%s-data" (include "kairos.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}
