# Sourced by infra/optout: OCI images of the API, the pages and the sign-in service, as tarballs in .local/images.
# The SDK builds them (dotnet publish -t:PublishContainer) onto a base image it pulls from a registry; the only registry
# here is one this script runs on loopback for the build, holding a base image made from Debian's packages
# (mmdebstrap): Debian 12 with the libraries a self-contained .NET service loads, and nothing else.

IMAGES="$LOCAL/images"
IMAGE_REGISTRY="127.0.0.1:5050"
IMAGE_BASE="$IMAGE_REGISTRY/optout/base:bookworm"
# The services the images hold: project, and the image's name.
IMAGE_SERVICES=(OptOut.Api:api OptOut.Web:pages OptOut.Identity:sign-in)

images_install() {
  local missing=()
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v skopeo >/dev/null || missing+=(skopeo)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# What a self-contained .NET service loads beyond Debian's essential set (libc, libgcc): its C++ runtime, TLS, time
# zones, zlib and the CA certificates. No ICU: InvariantGlobalization is on.
IMAGE_PACKAGES="ca-certificates,libssl3,libstdc++6,tzdata,zlib1g"
# The services run as uid 1654 ("app", as in the .NET images), whose home holds what .NET keeps per user (the X.509
# store OpenSSL-backed TLS opens, ASP.NET Core's data-protection keys): without one, the first TLS connection throws.
IMAGE_USER="app:1654"

# The base image's root filesystem, made once for each set of packages and user.
images_base() {
  BASE_ROOTFS="$IMAGES/base-bookworm-$(echo "$IMAGE_PACKAGES $IMAGE_USER" | sha256sum | cut -c1-8).tar"
  local rootfs="$BASE_ROOTFS"
  [ -s "$rootfs" ] && return
  log "making the base image's root filesystem from Debian's packages (about a minute and a half)"
  local sources; sources="$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
  [ -n "$sources" ] || sources=/etc/apt/sources.list
  as_root mmdebstrap --quiet --mode=root --variant=essential --include="$IMAGE_PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='echo "app:x:1654:1654:app:/home/app:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    --customize-hook='echo "app:x:1654:" >> "$1/etc/group"' \
    --customize-hook='mkdir -p "$1/home/app" && chown 1654:1654 "$1/home/app" && chmod 700 "$1/home/app"' \
    --format=tar bookworm "$rootfs.partial" "$sources"
  mv "$rootfs.partial" "$rootfs"
}

images_build() {
  images_install
  mkdir -p "$IMAGES"
  images_base
  rm -rf "$IMAGES/base-oci" "$IMAGES/registry"
  python3 "$ROOT/infra/images/oci-layout.py" "$BASE_ROOTFS" "$IMAGES/base-oci" bookworm
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$IMAGES/registry" "$IMAGE_REGISTRY" > "$IMAGES/registry.yml"
  docker-registry serve "$IMAGES/registry.yml" >"$IMAGES/registry.log" 2>&1 &
  local registry=$!
  # shellcheck disable=SC2064 # the pid now: the registry lives only as long as the build
  trap "kill $registry 2>/dev/null" EXIT
  for _ in $(seq 1 50); do curl -sf "http://$IMAGE_REGISTRY/v2/" >/dev/null && break; sleep 0.2; done
  skopeo copy -q --dest-tls-verify=false "oci:$IMAGES/base-oci:bookworm" "docker://$IMAGE_BASE"
  for service in "${IMAGE_SERVICES[@]}"; do
    local project="${service%%:*}" name="${service##*:}"
    log "building the image optout/$name"
    # The SDK keeps every layer it pulls or makes in $XDG_CACHE_HOME/dotnet/Containers and never removes one: in
    # ~/.cache it reached 5 GB over a day of builds. Here it lives and goes with this build.
    XDG_CACHE_HOME="$IMAGES/sdk-cache" DOTNET_CONTAINER_INSECURE_REGISTRIES="$IMAGE_REGISTRY" dotnet publish "$ROOT/src/$project" -c Release -r linux-x64 \
      --self-contained -t:PublishContainer -v q -nologo -p:ContainerBaseImage="$IMAGE_BASE" \
      -p:ContainerArchiveOutputPath="$IMAGES/optout-$name.tar" -o "$IMAGES/publish/$name" >/dev/null
    log "  $IMAGES/optout-$name.tar ($(du -h "$IMAGES/optout-$name.tar" | cut -f1))"
  done
  kill "$registry"; trap - EXIT
  rm -rf "$IMAGES/sdk-cache" "$IMAGES/registry" "$IMAGES/base-oci"
}
