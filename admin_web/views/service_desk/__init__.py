"""(in progress: issue #15)"""
