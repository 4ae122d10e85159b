"""The bus between collectors and workers: the protocol, and ``open_bus`` for a ``--bus`` URL.

Adapters (:mod:`.memory`, :mod:`.jetstream`) are imported by ``open_bus`` only when named, so the
offline mode never loads the NATS client.
"""

from __future__ import annotations

from tracehound.bus.base import Bus, BusError, BusFull, Consumer, Message, PublishAck, open_bus

__all__ = ["Bus", "BusError", "BusFull", "Consumer", "Message", "PublishAck", "open_bus"]
