// Public map: reference geography only (no beneficiaries). Data come as vector tiles.
(function () {
  "use strict";
  const GRADOS = [
    ["Muy bajo", "#1a9850"], ["Bajo", "#91cf60"], ["Medio", "#fee08b"],
    ["Alto", "#fc8d59"], ["Muy alto", "#d73027"],
  ];
  const SIN_DATO = "#bdbdbd";
  const colorPorGrado = ["match", ["get", "gm"], ...GRADOS.flat(), SIN_DATO];
  const origen = window.location.origin;
  const atribucion =
    "Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020 (ITER). " +
    "Fuente: CONAPO, Índices de marginación 2020. Datos filtrados y transformados por el Padrón Único.";

  const fuentes = {
    municipios: {
      type: "vector", tiles: [origen + "/teselas/municipios/{z}/{x}/{y}.pbf"],
      minzoom: 0, maxzoom: 14, attribution: atribucion,
    },
    localidades: {
      type: "vector", tiles: [origen + "/teselas/localidades/{z}/{x}/{y}.pbf"],
      minzoom: 5, maxzoom: 14,
    },
  };
  const capas = [{ id: "fondo", type: "background", paint: { "background-color": "#eef2f5" } }];
  if (window.PADRON_BASEMAP) {
    fuentes.base = { type: "raster", tiles: [window.PADRON_BASEMAP], tileSize: 256 };
    capas.push({ id: "base", type: "raster", source: "base" });
  }
  capas.push(
    { id: "municipios-relleno", type: "fill", source: "municipios", "source-layer": "municipios",
      paint: { "fill-color": colorPorGrado, "fill-opacity": 0.6 } },
    { id: "municipios-borde", type: "line", source: "municipios", "source-layer": "municipios",
      paint: { "line-color": "#555", "line-width": 0.4 } },
    { id: "localidades", type: "circle", source: "localidades", "source-layer": "localidades",
      minzoom: 7.5,
      paint: {
        "circle-color": colorPorGrado,
        "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "pobtot"]], 1, 2, 100, 6, 500, 14],
        "circle-stroke-color": "#333", "circle-stroke-width": 0.6,
      } },
  );

  const mapa = new maplibregl.Map({
    container: "mapa",
    style: { version: 8, sources: fuentes, layers: capas },
    center: [-96.45, 17.05], zoom: 6.6, minZoom: 5, maxZoom: 16,
    attributionControl: { compact: false },
  });
  mapa.addControl(new maplibregl.NavigationControl(), "top-left");
  window.padronMapa = mapa;

  const formato = new Intl.NumberFormat("es-MX");
  const texto = (valor) => {
    const span = document.createElement("span");
    span.textContent = valor == null || valor === "" ? "sin dato" : String(valor);
    return span.innerHTML;
  };
  function ventana(lngLat, html) {
    new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(lngLat).setHTML(html).addTo(mapa);
  }
  mapa.on("click", (evento) => {
    const [loc] = mapa.queryRenderedFeatures(evento.point, { layers: ["localidades"] });
    if (loc) {
      const p = loc.properties;
      ventana(loc.geometry.coordinates, `<h3>${texto(p.nom_loc)}</h3>
        <p>Clave ${texto(p.cvegeo)}<br>Población 2020: ${texto(formato.format(p.pobtot))}<br>
        Marginación: ${texto(p.gm)} (${texto(p.fuente)})</p>`);
      return;
    }
    const [mun] = mapa.queryRenderedFeatures(evento.point, { layers: ["municipios-relleno"] });
    if (mun) {
      const p = mun.properties;
      ventana(evento.lngLat, `<h3>${texto(p.nom_mun)}</h3>
        <p>Clave ${texto(p.cvegeo)}<br>Población 2020: ${texto(formato.format(p.pob_2020))}<br>
        Marginación (IMM): ${texto(p.gm)}<br>Distrito: ${texto(p.distrito)} · Región: ${texto(p.region)}</p>`);
    }
  });
  for (const capa of ["localidades", "municipios-relleno"]) {
    mapa.on("mouseenter", capa, () => { mapa.getCanvas().style.cursor = "pointer"; });
    mapa.on("mouseleave", capa, () => { mapa.getCanvas().style.cursor = ""; });
  }
  mapa.on("idle", () => { document.body.dataset.mapaListo = "1"; });

  const lista = document.getElementById("leyenda-grados");
  for (const [grado, color] of [...GRADOS, ["Sin dato", SIN_DATO]]) {
    const item = document.createElement("li");
    item.innerHTML = `<span class="muestra" style="background:${color}"></span>`;
    item.append(grado);
    lista.append(item);
  }
  const leyenda = document.getElementById("leyenda");
  document.getElementById("leyenda-alternar").addEventListener("click", (e) => {
    const cerrada = leyenda.classList.toggle("cerrada");
    e.currentTarget.setAttribute("aria-expanded", String(!cerrada));
  });
})();
