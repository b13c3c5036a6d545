# Node group sizing. Spot capacity absorbs the batch load (recordings, notifications).
variable "spot_min_size" {
  description = "Minimum number of spot nodes in the general node group"
  type        = number
  default     = 3
}

variable "spot_max_size" {
  description = "Maximum number of spot nodes in the general node group"
  type        = number
  default     = 10
}

variable "spot_instance_types" {
  description = "Instance types the spot node group may use"
  type        = list(string)
  default     = ["m6i.large", "m5.large"]
}
