"""The decoder chain's slower stages, each for one way a code reaches the camera unreadable:
too small (``enlarge``), smeared (``deblur``), soft or under moiré (``sharpen``), bent
(``unbend``), defocused (``refocus``); ``base.RegionStage`` and ``placed.PlacedStage`` hold
what they share."""
