// Math in rendered Markdown. The server keeps each formula's TeX source, escaped, in a
// .math element (litreview/render.py); KaTeX, vendored in web/vendor and loaded on first use,
// typesets it in place. KaTeX builds DOM nodes itself (no HTML strings), runs no \href or
// \htmlClass ("trust" stays off) and shows a bad formula as its source in red.
const KATEX_MODULE = "../vendor/katex-0.19.1/katex.mjs";
const OPTIONS = { throwOnError: false, trust: false, strict: "ignore", maxSize: 20, maxExpand: 500 };
let katexLoading = null;

/** Typeset every formula under root; resolves when done (at once when there is none). */
export async function typesetMath(root) {
  const formulas = [...root.querySelectorAll(".math:not([data-tex])")];
  if (formulas.length === 0) return;
  katexLoading ??= import(KATEX_MODULE).then((module) => module.default);
  const katex = await katexLoading;
  for (const el of formulas) {
    const tex = el.textContent;
    el.dataset.tex = tex;
    katex.render(tex, el, { ...OPTIONS, displayMode: !el.classList.contains("inline") });
  }
}
