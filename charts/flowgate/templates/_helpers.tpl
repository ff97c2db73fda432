{{/* The release's name prefix for every object. */}}
{{- define "flowgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The three services: their values key, name, ports and Kafka consumer group (for lag scaling).
Worker and dispatcher serve only management endpoints, on their one port. The API's replicas read
each other's Kafka Streams keys on the internal port.
*/}}
{{- define "flowgate.services" -}}
api:
  name: api-service
  port: 8080
  managementPort: 9080
  internalPort: 9081
  group: ""
  topic: ""
worker:
  name: worker-service
  port: 0
  managementPort: 8081
  internalPort: 0
  group: flowgate-worker
  topic: flowgate.jobs.v1
dispatcher:
  name: callback-dispatcher
  port: 0
  managementPort: 8082
  internalPort: 0
  group: flowgate-dispatcher
  topic: flowgate.callbacks.v1
{{- end -}}

{{- define "flowgate.labels" -}}
app.kubernetes.io/part-of: flowgate
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service: call with (dict "root" $ "name" "api-service"). */}}
{{- define "flowgate.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "flowgate.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s/%s/%s:%s" .root.Values.image.registry .root.Values.image.repository .name $tag -}}
{{- end -}}
