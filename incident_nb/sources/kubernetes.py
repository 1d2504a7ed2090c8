"""Kubernetes pod names to the services they belong to: the unit that localization ranks.

Pods are renamed whenever a workload is redeployed, so evidence is compared per service. The
naming rules of the Kubernetes controllers are a table (:data:`POD_NAMING`), tried in order:

- a Deployment's pod is ``<service>-<ReplicaSet hash>-<suffix>``
  (``ts-contacts-service-866bd68c97-xcqfx`` belongs to ``ts-contacts-service``);
- a StatefulSet's pod is ``<service>-<ordinal>`` (``mysql-0`` belongs to ``mysql``).

Hashes and suffixes are drawn from the controllers' alphabet (digits and consonants without
vowels or look-alikes), so an ordinary word at the end of a name is never taken for one. A name
that fits no rule is a service name already.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
"""The alphabet of ReplicaSet hashes and pod suffixes (``k8s.io/apimachinery`` rand)."""


@dataclass(frozen=True)
class PodNaming:
    """One controller's pod naming rule: the service is the ``service`` group of ``pattern``."""

    controller: str
    pattern: str


POD_NAMING: tuple[PodNaming, ...] = (
    PodNaming("Deployment", rf"(?P<service>.+)-{_SAFE}{{6,10}}-{_SAFE}{{5}}"),
    PodNaming("StatefulSet", r"(?P<service>.+)-\d+"),
)

_COMPILED = tuple(re.compile(rule.pattern) for rule in POD_NAMING)


def service_of_pod(name: str) -> str:
    """The service a pod belongs to (the name itself when it is not a pod name)."""
    text = name.strip()
    for pattern in _COMPILED:
        if match := pattern.fullmatch(text):
            return match["service"]
    return text


def services_of_pods(names: Iterable[str]) -> list[str]:
    """:func:`service_of_pod` of each name (each distinct name is matched once)."""
    values = [str(name) for name in (names.tolist() if hasattr(names, "tolist") else names)]
    known = {name: service_of_pod(name) for name in set(values)}
    return [known[name] for name in values]


__all__ = ["POD_NAMING", "PodNaming", "service_of_pod", "services_of_pods"]
