resource "helm_release" "istio_base" {
  name             = "istio-base"
  repository       = "https://istio-release.storage.googleapis.com/charts"
  chart            = "base"
  version          = "1.24.0"
  namespace        = "istio-system"
  create_namespace = true
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.24.0"
  namespace  = "istio-system"
  depends_on = [helm_release.istio_base]
}

resource "helm_release" "livekit" {
  name       = "livekit"
  repository = "https://helm.livekit.io"
  chart      = "livekit-server"
  version    = "1.7.2"
  namespace  = "platform"
  depends_on = [helm_release.istiod]
}
