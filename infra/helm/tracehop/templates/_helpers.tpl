{{/* Names: <release>-tracehop unless the release name already holds it, at most 63 characters. */}}
{{- define "tracehop.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A component's resource name: (dict "ctx" $ "component" "gateway"). */}}
{{- define "tracehop.name" -}}
{{- printf "%s-%s" (include "tracehop.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tracehop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of a component: stable across upgrades (no version). */}}
{{- define "tracehop.selectorLabels" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every object's labels: (dict "ctx" $ "component" "gateway" "version" "0.155.0"). */}}
{{- define "tracehop.labels" -}}
{{ include "tracehop.selectorLabels" . }}
app.kubernetes.io/part-of: tracehop
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/version: {{ .version | default .ctx.Chart.AppVersion | quote }}
helm.sh/chart: {{ include "tracehop.chart" .ctx }}
{{- end -}}

{{/* repository:tag of an image value. */}}
{{- define "tracehop.image" -}}
{{- printf "%s:%s" .image.repository (.image.tag | default .ctx.Chart.AppVersion | toString) -}}
{{- end -}}

{{- define "tracehop.svcFqdn" -}}
{{- printf "%s.%s.svc.%s" .name .ctx.Release.Namespace .ctx.Values.global.clusterDomain -}}
{{- end -}}

{{/*
Pod security context: non-root with the image's user, RuntimeDefault seccomp. (dict "uid" 1000
"fsGroup" true); uid 0 only where noted by the caller.
*/}}
{{- define "tracehop.podSecurityContext" -}}
{{- if eq (int .uid) 0 -}}
runAsNonRoot: false
runAsUser: 0
{{- else -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
{{- if .fsGroup }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
{{- end }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container security context: no privilege escalation, no capabilities; (dict "readOnly" true). */}}
{{- define "tracehop.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: {{ .readOnly }}
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "tracehop.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets -}}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Kafka bootstrap servers, host:port[,host:port...]. */}}
{{- define "tracehop.kafkaBrokers" -}}
{{- if .Values.kafka.enabled -}}
{{- printf "%s:%d" (include "tracehop.svcFqdn" (dict "ctx" . "name" (include "tracehop.name" (dict "ctx" . "component" "kafka")))) (int .Values.kafka.port) -}}
{{- else -}}
{{- required "kafka.externalBrokers is required when kafka.enabled is false" (join "," .Values.kafka.externalBrokers) -}}
{{- end -}}
{{- end -}}

{{- define "tracehop.postgresHost" -}}
{{- if .Values.postgres.enabled -}}
{{- include "tracehop.svcFqdn" (dict "ctx" . "name" (include "tracehop.name" (dict "ctx" . "component" "postgres"))) -}}
{{- else -}}
{{- required "postgres.externalHost is required when postgres.enabled is false" .Values.postgres.externalHost -}}
{{- end -}}
{{- end -}}

{{/* Backend addresses: the in-chart Service, or the external value. */}}
{{- define "tracehop.jaegerOtlpEndpoint" -}}
{{- if .Values.jaeger.enabled -}}
{{- printf "%s:%d" (include "tracehop.name" (dict "ctx" . "component" "jaeger")) (int .Values.jaeger.ports.otlpGrpc) -}}
{{- else -}}
{{- required "jaeger.external.otlpEndpoint is required when jaeger.enabled is false" .Values.jaeger.external.otlpEndpoint -}}
{{- end -}}
{{- end -}}

{{- define "tracehop.jaegerQueryUrl" -}}
{{- if .Values.jaeger.enabled -}}
{{- printf "http://%s:%d" (include "tracehop.name" (dict "ctx" . "component" "jaeger")) (int .Values.jaeger.ports.query) -}}
{{- else -}}
{{- required "jaeger.external.queryUrl is required when jaeger.enabled is false and grafana.enabled is true" .Values.jaeger.external.queryUrl -}}
{{- end -}}
{{- end -}}

{{- define "tracehop.opensearchUrl" -}}
{{- if .Values.opensearch.enabled -}}
{{- printf "http://%s:%d" (include "tracehop.name" (dict "ctx" . "component" "opensearch")) (int .Values.opensearch.port) -}}
{{- else -}}
{{- required "opensearch.externalUrl is required when opensearch.enabled is false" .Values.opensearch.externalUrl -}}
{{- end -}}
{{- end -}}

{{- define "tracehop.victorialogsUrl" -}}
{{- if .Values.victorialogs.enabled -}}
{{- printf "http://%s:%d" (include "tracehop.name" (dict "ctx" . "component" "victorialogs")) (int .Values.victorialogs.port) -}}
{{- else -}}
{{- required "victorialogs.externalUrl is required when victorialogs.enabled is false" .Values.victorialogs.externalUrl | trimSuffix "/" -}}
{{- end -}}
{{- end -}}

{{- define "tracehop.prometheusUrl" -}}
{{- if .Values.prometheus.enabled -}}
{{- printf "http://%s:%d" (include "tracehop.name" (dict "ctx" . "component" "prometheus")) (int .Values.prometheus.port) -}}
{{- else -}}
{{- required "prometheus.externalUrl is required when prometheus.enabled is false and grafana.enabled is true" .Values.prometheus.externalUrl -}}
{{- end -}}
{{- end -}}

{{/* Secret names: yours, or the chart's. */}}
{{- define "tracehop.gatewayAuthSecret" -}}
{{- .Values.gateway.auth.existingSecret | default (include "tracehop.name" (dict "ctx" . "component" "gateway-auth")) -}}
{{- end -}}
{{- define "tracehop.postgresSecret" -}}
{{- .Values.postgres.existingSecret | default (include "tracehop.name" (dict "ctx" . "component" "postgres")) -}}
{{- end -}}
{{- define "tracehop.kafkaKeySaltSecret" -}}
{{- .Values.kafkaKeySalt.existingSecret | default (include "tracehop.name" (dict "ctx" . "component" "kafka-key-salt")) -}}
{{- end -}}
{{- define "tracehop.grafanaSecret" -}}
{{- .Values.grafana.existingSecret | default (include "tracehop.name" (dict "ctx" . "component" "grafana-admin")) -}}
{{- end -}}

{{/* The gateway Services: ClusterIP (metrics and logs) and headless (the agents' trace routing). */}}
{{- define "tracehop.gatewayService" -}}
{{- include "tracehop.name" (dict "ctx" . "component" "gateway") -}}
{{- end -}}
{{- define "tracehop.gatewayHeadlessService" -}}
{{- include "tracehop.name" (dict "ctx" . "component" "gateway-headless") -}}
{{- end -}}

{{/* A StatefulSet's "data" volume claim from a persistence value. */}}
{{- define "tracehop.volumeClaim" -}}
- metadata:
    name: data
  spec:
    accessModes: [ReadWriteOnce]
    {{- with .storageClassName }}
    storageClassName: {{ . }}
    {{- end }}
    resources:
      requests:
        storage: {{ .size }}
{{- end -}}

{{/*
Kubernetes service discovery for one scrape job: this release's pods of the given components
(a regex), on the container port of the given name; instance is the pod's name.
*/}}
{{- define "tracehop.prometheusPods" -}}
kubernetes_sd_configs:
  - role: pod
    namespaces:
      names: [{{ .ctx.Release.Namespace }}]
relabel_configs:
  - source_labels:
      - __meta_kubernetes_pod_label_app_kubernetes_io_instance
      - __meta_kubernetes_pod_label_app_kubernetes_io_component
      - __meta_kubernetes_pod_container_port_name
    regex: {{ printf "%s;(%s);%s" .ctx.Release.Name .components .port | quote }}
    action: keep
  - source_labels: [__meta_kubernetes_pod_phase]
    regex: Pending|Succeeded|Failed
    action: drop
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: instance
  # With honor_labels the exported `instance` replaces the pod's; this label survives, so two
  # gateways' partial counts of one series stay apart (docs/scaling.md, "Metrics through several gateways").
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: collector_pod
  - source_labels: [__meta_kubernetes_pod_node_name]
    target_label: node
{{- end -}}

{{/* An environment variable's value, quoted: numbers as JSON writes them (toString would give 8.64e+07). */}}
{{- define "tracehop.envValue" -}}
{{- if kindIs "string" . -}}
{{- quote . -}}
{{- else -}}
{{- toJson . | quote -}}
{{- end -}}
{{- end -}}
