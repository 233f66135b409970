"""PDDL prototypes (ProtoReasoning): IPC-style domains, generated problems solved by Fast Downward."""
