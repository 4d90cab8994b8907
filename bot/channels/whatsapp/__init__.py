"""The WhatsApp channel (WhatsApp Cloud API) — the next one. Only its limits are here so
far, so that every keyboard is already tested against them; the channel itself (inbound
webhook, OutboundChannel) comes beside them."""
