"""Which routine each capability runs on site."""

from agents.care import evacuation, psych_support
from agents.dialogue import dialogue
from agents.logistics import logistics
from agents.order import order
from agents.persuasion import persuasion
from agents.teams import ROUTINES
from sim.core.types import Capability

ROUTINES.update({
    Capability.ORDER: order,
    Capability.DIALOGUE: dialogue,
    Capability.PERSUASION: persuasion,
    Capability.LOGISTICS: logistics,
    Capability.PSYCH_SUPPORT: psych_support,
    Capability.EVACUATION: evacuation,
})
