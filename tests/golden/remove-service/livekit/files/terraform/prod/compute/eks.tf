module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.31"
  cluster_name    = "platform-prod"
  cluster_version = "1.31"

  # Node-to-node rules. HBONE (15008) is required by Istio ambient mode.
  node_security_group_additional_rules = {
    ingress_istio_hbone = {
      description = "Istio ambient HBONE"
      protocol    = "tcp"
      from_port   = 15008
      to_port     = 15008
      type        = "ingress"
      self        = true
    }
  }
}
