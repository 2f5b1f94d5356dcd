{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "orders.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object of the chart. */}}
{{- define "orders.labels" -}}
app.kubernetes.io/name: {{ include "orders.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/* Selector labels: immutable once deployed. */}}
{{- define "orders.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orders.name" . }}
{{- end }}
