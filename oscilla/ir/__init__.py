"""The scalar IR: hash-consed nodes and state cells (:mod:`.graph`) and the opcode table
(:mod:`.opcodes`) that gives every pure op its signature, numpy meaning and WGSL spelling."""
