# placeholder: the real package __init__ is being written (see golang._golang core module)
