-- Cross-references for the project's renderer (see crossref.ts): metadata `crossref` maps labels to
-- {label, href, number}; `page_root` is the path from this page to the book root.
local index = {}
local root = ""

local function meta(m)
  if m.crossref then
    for id, v in pairs(m.crossref) do
      index[id] = { label = pandoc.utils.stringify(v.label), href = pandoc.utils.stringify(v.href), number = pandoc.utils.stringify(v.number) }
    end
  end
  if m.page_root then root = pandoc.utils.stringify(m.page_root) end
end

local function cite(c)
  if #c.citations ~= 1 then return nil end
  local e = index[c.citations[1].id]
  if e then return pandoc.Link(e.label, root .. e.href) end
end

local function image(img)
  local e = index[img.identifier]
  if e and #img.caption > 0 then
    local prefix = { pandoc.Strong({ pandoc.Str("Figure " .. e.number .. ":") }), pandoc.Space() }
    for i = #prefix, 1, -1 do table.insert(img.caption, 1, prefix[i]) end
    return img
  end
end

-- Quarto's div figures, `::: {#fig-x}` content + caption paragraph `:::` (notebook cells with
-- `#| fig-cap:` become these): a <figure> whose caption is numbered like an image figure's.
local function div(el)
  local id = el.identifier
  if not (id:match("^fig%-") or el.classes:includes("cell-figure")) then return nil end
  local blocks = pandoc.List(el.content)
  local caption = pandoc.List()
  local last = blocks[#blocks]
  if last and (last.t == "Para" or last.t == "Plain") then
    caption = pandoc.List(last.content)
    blocks:remove(#blocks)
  end
  local e = index[id]
  if e then
    caption:insert(1, pandoc.Space())
    caption:insert(1, pandoc.Strong({ pandoc.Str("Figure " .. e.number .. ":") }))
  end
  local out = pandoc.List()
  out:insert(pandoc.RawBlock("html", '<figure class="cell-figure"' .. (id ~= "" and (' id="' .. id .. '"') or "") .. ">"))
  out:extend(blocks)
  if #caption > 0 then
    out:insert(pandoc.RawBlock("html", "<figcaption>"))
    out:insert(pandoc.Plain(caption))
    out:insert(pandoc.RawBlock("html", "</figcaption>"))
  end
  out:insert(pandoc.RawBlock("html", "</figure>"))
  return out
end

-- `$$ … $$ {#eq-x}`: tag the equation with its number and anchor it.
local function inlines(list)
  local out = pandoc.List()
  local i = 1
  while i <= #list do
    local el = list[i]
    local nxt, skip = list[i + 1], 1
    if nxt and nxt.t == "Space" then nxt, skip = list[i + 2], 2 end
    if el.t == "Math" and el.mathtype == "DisplayMath" and nxt and nxt.t == "Str" then
      local id = nxt.text:match("^{#(eq%-[%w%-_]+)}$")
      if id and index[id] then
        out:insert(pandoc.Span({ pandoc.Math("DisplayMath", el.text .. " \\tag{" .. index[id].number .. "}") }, { id = id, class = "equation" }))
        i = i + skip + 1
        goto continue
      end
    end
    out:insert(el)
    i = i + 1
    ::continue::
  end
  return out
end

return { { Meta = meta }, { Cite = cite, Image = image, Inlines = inlines, Div = div } }
