# Builds tracehop's collector distribution from the same builder manifest the native stack uses
# (infra/collector/builder-config.yaml). Build context: the repository root.
ARG GO_IMAGE=golang:1.26
FROM ${GO_IMAGE} AS build
ARG COLLECTOR_VERSION
WORKDIR /build
RUN go install go.opentelemetry.io/collector/cmd/builder@v${COLLECTOR_VERSION}
COPY infra/collector/builder-config.yaml .
RUN CGO_ENABLED=0 builder --config builder-config.yaml

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /build/dist/tracehop-otelcol /otelcol
ENTRYPOINT ["/otelcol"]
