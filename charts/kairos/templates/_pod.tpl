{{/*
The pod template every Kairos Deployment shares. Called with a dict:
  root:     the chart's context
  role:     "single" (kairos serve, everything in one process), "web" (kairos serve, KAIROS_ROLE=web) or
            "worker" (kairos worker)
  location: the `locations` entry a worker checks from (workers only)
Single mode renders exactly what the chart rendered before fleet mode existed: no command, no env, no extra label.
*/}}
{{- define "kairos.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $role := .role }}
{{- $loc := .location | default dict }}
{{- $place := include "kairos.placement" . | fromYaml }}
{{- $worker := eq $role "worker" -}}
metadata:
  labels:
    {{- include "kairos.podSelectorLabels" . | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A changed setting restarts the pod.
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if $v.metrics.annotations }}
    prometheus.io/scrape: "true"
    {{- if $worker }}
    prometheus.io/port: {{ include "kairos.workerPort" $root | quote }}
    prometheus.io/path: {{ include "kairos.workerMetricsPath" $root }}
    {{- else }}
    prometheus.io/port: "8080"
    prometheus.io/path: /actuator/prometheus
    {{- end }}
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  automountServiceAccountToken: false
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  containers:
    - name: kairos
      image: {{ include "kairos.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      {{- if $worker }}
      command: [kairos, worker]
      {{- else if eq $role "web" }}
      command: [kairos, serve]
      {{- end }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "kairos.fullname" $root }}
      {{- if eq $role "web" }}
      env:
        # Pages, API and stream only: the workers check.
        - name: KAIROS_ROLE
          value: web
      {{- else if $worker }}
      env:
        - name: KAIROS_ROLE
          value: worker
        - name: KAIROS_LOCATION
          value: {{ $loc.name | quote }}
        # The pod's name: the fleet_worker row and the logs then name the pod kubectl shows.
        - name: KAIROS_WORKER_ID
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: KAIROS_WORKER_PORT
          value: {{ include "kairos.workerPort" $root | quote }}
        {{- range $name, $value := $loc.env }}
        - name: {{ $name }}
          value: {{ $value | toString | quote }}
        {{- end }}
      {{- end }}
      ports:
        {{- if $worker }}
        # Health and metrics only: a worker takes no other inbound connection.
        - name: metrics
          containerPort: {{ include "kairos.workerPort" $root }}
          protocol: TCP
        {{- else }}
        - name: http
          containerPort: 8080
          protocol: TCP
        {{- end }}
      # Start-up runs the migrations first: give it up to 5 minutes before the other probes count.
      startupProbe:
        httpGet:
          path: /actuator/health
          port: {{ $worker | ternary "metrics" "http" }}
        periodSeconds: 5
        failureThreshold: 60
      # Out of the Service while the database does not answer or the scheduler is down ...
      readinessProbe:
        httpGet:
          path: /actuator/health
          port: {{ $worker | ternary "metrics" "http" }}
        periodSeconds: 10
        timeoutSeconds: 5
        failureThreshold: 3
      # ... but restarted only when the process stops answering after minutes of it: results of checks made
      # while the database is away wait in memory, and a restart would lose them.
      livenessProbe:
        httpGet:
          path: /actuator/health
          port: {{ $worker | ternary "metrics" "http" }}
        periodSeconds: 30
        timeoutSeconds: 5
        failureThreshold: 10
      resources:
        {{- toYaml $place.resources | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: /app/data
        - name: tmp
          mountPath: /tmp
        - name: secrets
          mountPath: /run/secrets/kairos
          readOnly: true
  volumes:
    - name: data
      {{- if include "kairos.usesClaim" $root }}
      persistentVolumeClaim:
        claimName: {{ include "kairos.claimName" $root }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    - name: tmp
      emptyDir: {}
    - name: secrets
      projected:
        defaultMode: 0440
        sources:
          - secret:
              name: {{ include "kairos.secretKeySecret" $root }}
              items:
                - key: {{ include "kairos.secretKeyKey" $root }}
                  path: secret-key
          {{- if include "kairos.hasDatabasePassword" $root }}
          - secret:
              name: {{ include "kairos.databaseSecret" $root }}
              items:
                - key: {{ include "kairos.databaseKey" $root }}
                  path: database-password
          {{- end }}
  {{- with $place.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $place.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $place.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* Where a pod runs and what it may use: the web or location entry's own values, else the chart-wide ones. */}}
{{- define "kairos.placement" -}}
{{- $v := .root.Values }}
{{- $own := dict }}
{{- if eq .role "web" }}{{ $own = $v.web }}{{ else if eq .role "worker" }}{{ $own = .location }}{{ end }}
resources: {{ default $v.resources $own.resources | toJson }}
nodeSelector: {{ default $v.nodeSelector $own.nodeSelector | toJson }}
affinity: {{ default $v.affinity $own.affinity | toJson }}
tolerations: {{ default $v.tolerations $own.tolerations | toJson }}
{{- end }}

{{/* The labels that tell a role's pods apart (a Deployment's selector); single mode keeps the chart's own. */}}
{{- define "kairos.podSelectorLabels" -}}
{{ include "kairos.selectorLabels" .root }}
{{- if ne .role "single" }}
app.kubernetes.io/component: {{ .role }}
{{- end }}
{{- if eq .role "worker" }}
kairos.io/location: {{ .location.name | quote }}
{{- end }}
{{- end }}

{{/* A worker's health and metrics listener (KAIROS_WORKER_PORT): fixed, the probes and Prometheus use it. */}}
{{- define "kairos.workerPort" -}}9464{{- end }}
{{- define "kairos.workerMetricsPath" -}}/metrics{{- end }}
