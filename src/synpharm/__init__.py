"""synpharm: what will this drug do to synaptic plasticity?"""
