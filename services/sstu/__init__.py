"""The monthly ССТУ.РФ report of results of consideration (Указ Президента № 171) and the public
counter of appeals. The upload format is reconstructed from public integration code, not an
official specification: see docs/sstu-export.md.

``build.build_month`` reads a month's appeals into an ``SstuReport``, ``validate.validate`` lists
what the portal would refuse, ``archive.archive`` packs the report as the ZIP the portal takes;
``counter.month_figures`` gives the figures-only public counter.
"""
