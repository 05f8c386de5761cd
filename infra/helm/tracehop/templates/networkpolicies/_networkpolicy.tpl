{{/*
One ingress NetworkPolicy: (dict "ctx" $ "component" "jaeger" "rules" (list (dict "ports" (list 14317) "from" (list "gateway")))).
A rule without "from" admits any source; "from" names this release's components.
*/}}
{{- define "tracehop.networkPolicy" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "tracehop.name" (dict "ctx" .ctx "component" .component) }}
  labels:
    {{- include "tracehop.labels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "tracehop.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    {{- range .rules }}
    - ports:
        {{- range .ports }}
        - { protocol: TCP, port: {{ . }} }
        {{- end }}
      {{- if .from }}
      from:
        - podSelector:
            matchExpressions:
              - { key: app.kubernetes.io/instance, operator: In, values: [{{ $.ctx.Release.Name | quote }}] }
              - { key: app.kubernetes.io/component, operator: In, values: [{{ join ", " .from }}] }
      {{- end }}
    {{- end }}
{{- end -}}
