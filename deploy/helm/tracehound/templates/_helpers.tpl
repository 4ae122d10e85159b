{{- define "tracehound.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tracehound.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "tracehound.env" -}}
- name: TRACEHOUND_SERVER__BUS
  value: {{ .Values.bus.url | quote }}
- name: TRACEHOUND_SERVER__STORE
  valueFrom:
    secretKeyRef:
      name: {{ default (printf "%s-store" (include "tracehound.fullname" .)) .Values.store.existingSecret }}
      key: {{ .Values.store.existingSecretKey }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
