{{/*
Fleet mode's refusals, rendered once (by web.yaml): a fleet shares one PostgreSQL database, and every location
needs a Deployment name of its own.
*/}}
{{- define "kairos.fleetChecks" -}}
{{- if not .Values.database.url }}
{{- fail "mode fleet needs PostgreSQL: set database.url (web nodes and workers share one PostgreSQL database; SQLite serves one process only, use mode single for it)" }}
{{- end }}
{{- if not .Values.locations }}
{{- fail "mode fleet needs at least one entry in locations (where the workers check from)" }}
{{- end }}
{{- $seen := dict }}
{{- range .Values.locations }}
{{- $object := include "kairos.workerName" (dict "root" $ "location" .) }}
{{- if hasKey $seen $object }}
{{- fail (printf "locations: %q is listed twice (or differs from %q only by '_' and '-', which Kubernetes names cannot tell apart)" .name (get $seen $object)) }}
{{- end }}
{{- $_ := set $seen $object .name }}
{{- end }}
{{- end }}

{{/* A location's worker Deployment: Kubernetes names take no '_'. */}}
{{- define "kairos.workerName" -}}
{{- printf "%s-worker-%s" (include "kairos.fullname" .root) (.location.name | replace "_" "-") }}
{{- end }}

{{/* Labels of an object that belongs to one role ("web" or "worker"). */}}
{{- define "kairos.roleLabels" -}}
{{ include "kairos.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- if .location }}
kairos.io/location: {{ .location.name | quote }}
{{- end }}
{{- end }}
