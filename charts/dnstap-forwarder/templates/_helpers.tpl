{{/* The chart's name, or nameOverride. */}}
{{- define "dnstap.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the release's objects: fullnameOverride, else <release>-<name>, or the release name when it already says so. */}}
{{- define "dnstap.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "dnstap.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The pods' ServiceAccount: the chart's own, or serviceAccount.name, or the namespace's default. */}}
{{- define "dnstap.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dnstap.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "dnstap.labels" -}}
app.kubernetes.io/name: {{ include "dnstap.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "collector"). */}}
{{- define "dnstap.selector" -}}
app.kubernetes.io/name: {{ include "dnstap.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
  A service's image. No default exists: the images are built from the repository's Dockerfile and
  pushed to a registry the cluster pulls from, and a chart that rendered with a made-up name would
  leave the pods in ImagePullBackOff instead of saying what to do.
*/}}
{{- define "dnstap.image" -}}
{{- $image := index .root.Values.image .name -}}
{{- $message := printf "image.%s.repository is required: build the image from the repository's Dockerfile and push it where the cluster pulls from, e.g. docker build --target %s -t registry.example.net/dns/dnstap-forwarder-%s:%s . && docker push registry.example.net/dns/dnstap-forwarder-%s:%s (the chart README, Images)" .name .name .name .root.Chart.AppVersion .name .root.Chart.AppVersion -}}
{{- printf "%s:%s" (required $message $image.repository) (default .root.Chart.AppVersion $image.tag) -}}
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


{{/* What both workloads' pod specs share: pull secrets, account, security, no Service links, spread. Include with (dict "root" $ "component" "collector"). */}}
{{- define "dnstap.podCommon" -}}
{{- $settings := index .root.Values .component -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
serviceAccountName: {{ include "dnstap.serviceAccountName" .root }}
automountServiceAccountToken: {{ .root.Values.serviceAccount.automountToken }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
# No <SERVICE>_PORT variables: a Service named dnstap-monitoring would set DNSTAP_MONITORING_PORT.
enableServiceLinks: false
{{- with $settings.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $settings.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range . }}
  - {{ toYaml (merge (deepCopy .) (dict "labelSelector" (dict "matchLabels" (fromYaml (include "dnstap.selector" (dict "root" $.root "component" $.component)))))) | nindent 4 | trim }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* "true" when the Prometheus Operator's API can take a ServiceMonitor and a PrometheusRule: the
cluster has monitoring.coreos.com/v1, or monitoring.assumeOperatorApi says so for helm template and
GitOps tools that render without a cluster. Empty otherwise (NOTES.txt says what was skipped). */}}
{{- define "dnstap.operatorApi" -}}
{{- if or .Values.monitoring.assumeOperatorApi (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") -}}true{{- end -}}
{{- end -}}

{{/* hec.fields as --hec-field takes them: name=value pairs, comma-separated, by name. */}}
{{- define "dnstap.hecFields" -}}
{{- $pairs := list -}}
{{- range $name, $value := . -}}
{{- $pairs = append $pairs (printf "%s=%s" $name $value) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end }}
