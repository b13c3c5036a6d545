module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.31"
  cluster_name    = "platform-prod"
  cluster_version = "1.31"

  # Node-to-node rules. HBONE (15008) is required by Istio ambient mode.
  node_security_group_additional_rules = {
    ingress_livekit_rtc = {
      description = "LiveKit WebRTC media (UDP)"
      protocol    = "udp"
      from_port   = 50000
      to_port     = 60000
      type        = "ingress"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
