"""Search-derived reasoning data: MCTS over solution steps (ASTRO traces, CPL step preferences)."""
