# syntax=docker/dockerfile:1
# Multi-stage build of the LiveRelay server. Runtime image: ASP.NET Core 10 on Debian with ffmpeg
# (supervised transcodes and thumbnails) and libsrt (SRT ingest/egress).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The control page's libraries come from npm during the build.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props LiveRelay.sln ./
COPY src/ src/
RUN dotnet publish src/LiveRelay.Server/LiveRelay.Server.csproj -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg libsrt1.5-openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY configs/liverelay.json /etc/liverelay/liverelay.json
# Relative paths (the data directory) resolve against the working directory.
WORKDIR /var/lib/liverelay
VOLUME ["/var/lib/liverelay"]
# HTTP (API, HLS, HTTP-FLV), RTMP, SRT (UDP), WebRTC (UDP)
EXPOSE 8080/tcp 1935/tcp 9000/udp 8189/udp 8189/tcp
ENV DOTNET_gcServer=0
ENTRYPOINT ["dotnet", "/app/LiveRelay.Server.dll", "--config", "/etc/liverelay/liverelay.json"]
