// Fills the Recommendations block from the app proxy: one request, a few links, nothing else.
(function () {
  document.querySelectorAll("[data-crm-recs]:not([data-crm-recs-done])").forEach(function (block) {
    block.setAttribute("data-crm-recs-done", "");
    var url = block.getAttribute("data-endpoint");
    var product = block.getAttribute("data-product-id");
    if (product) url += "?product_id=" + encodeURIComponent(product);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { products: [] }; })
      .then(function (answer) {
        var list = block.querySelector("[data-crm-recs-list]");
        (answer.products || []).forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = item.url;
          a.className = "crm-recs__item";
          var img = document.createElement(item.imageUrl ? "img" : "span");
          img.className = "crm-recs__image";
          if (item.imageUrl) {
            img.src = item.imageUrl + (item.imageUrl.indexOf("?") < 0 ? "?" : "&") + "width=240";
            img.alt = "";
            img.loading = "lazy";
          }
          a.appendChild(img);
          var title = document.createElement("span");
          title.textContent = item.title;
          a.appendChild(title);
          li.appendChild(a);
          list.appendChild(li);
        });
        if (list.children.length > 0) block.hidden = false;
      })
      .catch(function () {});
  });
})();
