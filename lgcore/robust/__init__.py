"""Adversarial robustness: attacks and robust evaluation."""

from lgcore.robust.attacks import fgsm, pgd, project, random_start
from lgcore.robust.evaluate import accuracy, crossing_radius, robust_accuracy, robust_accuracy_curve

__all__ = ["accuracy", "crossing_radius", "fgsm", "pgd", "project", "random_start", "robust_accuracy", "robust_accuracy_curve"]
