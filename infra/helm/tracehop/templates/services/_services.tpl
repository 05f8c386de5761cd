{{/* The three services: values key → app (dist/apps/<app>) and database. */}}
{{- define "tracehop.serviceApps" -}}
user: { app: user-service, database: users }
order: { app: order-service, database: orders }
payment: { app: payment-service, database: payments }
{{- end -}}
