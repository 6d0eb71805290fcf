"""AWS for GoldenTooth: explicit providers, the adopted Route53 zone and its records, ACM, CloudFront,
the Vault seal key with its IAM identity, data buckets, and health-check alarms."""
