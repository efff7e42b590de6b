"""The drill room: a local web server with a projector view and a facilitator console that
drive a :class:`~sim.engine.session.DrillSession` live (``run_drill.py room``)."""
