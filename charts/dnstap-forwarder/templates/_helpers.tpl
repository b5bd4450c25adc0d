{{/* Name of the release's objects: <release>-dnstap-forwarder, or the release name when it already says so. */}}
{{- define "dnstap.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "dnstap.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "collector"). */}}
{{- define "dnstap.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dnstap.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* The Secret holding the HEC token, and its key. */}}
{{- define "dnstap.hecSecret" -}}
{{- if .Values.hec.existingSecret -}}{{ .Values.hec.existingSecret }}{{- else -}}{{ include "dnstap.fullname" . }}-hec{{- end -}}
{{- end -}}
{{- define "dnstap.hecSecretKey" -}}
{{- if .Values.hec.existingSecret -}}{{ .Values.hec.existingSecretKey }}{{- else -}}hec-token{{- end -}}
{{- end -}}

{{/* Kafka client properties as DNSTAP_KAFKA_PROPERTY (key=value,...). */}}
{{- define "dnstap.kafkaProperties" -}}
{{- $pairs := list -}}
{{- range $key, $value := .Values.kafka.properties -}}
{{- $pairs = append $pairs (printf "%s=%v" $key $value) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* Probes on the ops port: liveness /health, readiness /ready. */}}
{{- define "dnstap.probes" -}}
startupProbe:
  httpGet: {path: /health, port: ops}
  periodSeconds: 5
  failureThreshold: 24
livenessProbe:
  httpGet: {path: /health, port: ops}
  periodSeconds: 15
  timeoutSeconds: 5
  failureThreshold: 4
readinessProbe:
  httpGet: {path: /ready, port: ops}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}
