// Field page. It holds no data of its own: it logs in (OAuth2 password flow) and reads the API
// with the token, which it keeps in localStorage until the token expires (closing the tab does
// not log out). For work without signal it keeps, in IndexedDB, the visit plan (households of
// the chosen localities, for a working day) and a queue of points and photos taken offline,
// sent when the signal returns. Logging out, or another user logging in, wipes all of it; the
// token expiring wipes the plan and keeps the user's unsent work for their next login.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const CONFIG = JSON.parse(document.body.dataset.config);
  const SESION = "padronSesion";
  const kv = window.idbKeyval;
  const almacen = kv.createStore("padron-campo", "datos");
  const numero = new Intl.NumberFormat("es-MX", { maximumFractionDigits: 0 });
  const pesos = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN" });
  const hora = new Intl.DateTimeFormat("es-MX", { hour: "2-digit", minute: "2-digit" });
  const CURP = /^[A-Z]{4}\d{6}[A-Z0-9]{8}$/;

  let sesion = null;
  let actual = null; // the record on screen: { datos, completo }
  let mapa = null;
  let posicion = null; // the phone's latest fix
  let vigilancia = null;
  let encuadre = null; // the record's points, until the view has been fitted to the phone too
  let enviando = false;
  let espera = 0; // retries of the queue so far (for the back-off)

  // -- session ------------------------------------------------------------------------------
  function leerSesion() {
    try {
      const guardada = JSON.parse(localStorage.getItem(SESION));
      if (guardada && Date.parse(guardada.expira) > Date.now()) return guardada;
    } catch (error) { /* nothing usable stored */ }
    return null;
  }
  async function olvidarTodo() {
    localStorage.removeItem(SESION);
    sesion = null;
    await kv.clear(almacen);
  }
  function mostrar() {
    const dentro = Boolean(sesion);
    $("entrar").hidden = dentro; $("trabajo").hidden = !dentro; $("salir").hidden = !dentro;
    if (!dentro) { cerrarFicha(); $("resultados").replaceChildren(); $("entrar").reset(); }
  }
  function aviso(texto, bien = false) {
    $("mensaje").textContent = texto || "";
    $("mensaje").classList.toggle("bien", bien);
  }
  async function vencida() {
    // The token expired or was revoked: the plan (everyone's data of the localities) goes with
    // it; the user's own unsent positions and photos stay for their next login.
    localStorage.removeItem(SESION);
    sesion = null;
    await kv.del("plan", almacen);
    mostrar(); pintarPendientes([]); resumenPlan(null);
    const pendientes = (await cola()).length;
    aviso(pendientes ? `Su sesión terminó: entre de nuevo para enviar ${pendientes} pendiente(s).`
      : "Su sesión terminó: entre de nuevo.");
  }

  class Rechazo extends Error {}
  async function api(ruta, opciones = {}) {
    const respuesta = await fetch(ruta, {
      ...opciones, headers: { ...(opciones.headers || {}), Authorization: "Bearer " + sesion.token },
    });
    if (respuesta.status === 401) { await vencida(); throw new Rechazo("Su sesión terminó: entre de nuevo."); }
    if (!respuesta.ok) {
      const cuerpo = await respuesta.json().catch(() => ({}));
      throw new Rechazo(cuerpo.detalle || "Error " + respuesta.status);
    }
    return respuesta;
  }
  const sinRed = (error) => !(error instanceof Rechazo);

  $("entrar").addEventListener("submit", async (evento) => {
    evento.preventDefault();
    const datos = new FormData(evento.target);
    let respuesta;
    try {
      respuesta = await fetch("/token", { method: "POST", body: new URLSearchParams(datos) });
    } catch (error) { aviso("Sin conexión: para entrar hace falta señal."); return; }
    const cuerpo = await respuesta.json().catch(() => ({}));
    if (!respuesta.ok) { aviso(cuerpo.detalle || "No se pudo entrar."); return; }
    const usuario = String(datos.get("username"));
    const anterior = await kv.get("usuario", almacen);
    if (anterior && anterior !== usuario) await kv.clear(almacen); // another person's data
    sesion = { token: cuerpo.access_token, expira: cuerpo.expira_en, usuario };
    localStorage.setItem(SESION, JSON.stringify(sesion));
    await kv.set("usuario", usuario, almacen);
    evento.target.reset(); // the password leaves the screen with the form
    aviso(""); mostrar(); await cargarPlan(); procesarCola();
  });

  $("salir").addEventListener("click", async () => {
    const pendientes = await cola();
    if (pendientes.length && !window.confirm(
      `Hay ${pendientes.length} envío(s) pendiente(s) que se perderán. ¿Salir de todos modos?`)) return;
    await olvidarTodo(); mostrar(); pintarPendientes([]); resumenPlan(null);
    aviso("Sesión cerrada; los datos guardados en este teléfono se borraron.", true);
  });

  // -- connection ---------------------------------------------------------------------------
  function red() {
    $("red").hidden = navigator.onLine;
    if (navigator.onLine && sesion) procesarCola();
  }
  window.addEventListener("online", red);
  window.addEventListener("offline", red);

  // -- search -------------------------------------------------------------------------------
  function criterio(texto) {
    const q = texto.trim();
    if (CURP.test(q.toUpperCase())) return { curp: q.toUpperCase() };
    if (/\d/.test(q)) return { folio: q.toUpperCase() };
    return { nombre: q };
  }
  const normal = (texto) => (texto || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .toUpperCase().replace(/[^A-Z0-9]+/g, " ").trim();
  const nombreDe = (r) => [r.nombre, r.primer_ap, r.segundo_ap].filter(Boolean).join(" ");

  $("buscar").addEventListener("submit", async (evento) => {
    evento.preventDefault();
    const q = String(new FormData(evento.target).get("q"));
    cerrarFicha(); $("resultados").replaceChildren();
    try {
      const lista = await (await api("/campo/buscar", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(criterio(q)),
      })).json();
      aviso(""); resultados(lista);
    } catch (error) {
      if (!sinRed(error)) { aviso(error.message); return; }
      const plan = await kv.get("plan", almacen);
      const buscado = criterio(q);
      const palabras = normal(buscado.nombre).split(" ").map((p) => (p === "MA" ? "MARIA" : p));
      const lista = (plan ? plan.registros : []).filter((r) =>
        buscado.curp ? r.curp === buscado.curp
          : buscado.folio ? r.folio.toUpperCase() === buscado.folio
            : palabras.every((p) => ` ${normal(nombreDe(r))} `.includes(` ${p} `)));
      aviso(lista.length ? "Sin conexión: resultados del plan de visita."
        : "Sin conexión y sin coincidencias en el plan de visita.");
      resultados(lista);
    }
  });

  function resultados(lista) {
    $("resultados").replaceChildren(...lista.map((r) => {
      const li = document.createElement("li");
      const boton = document.createElement("button");
      boton.type = "button";
      const quien = document.createElement("strong"); quien.textContent = nombreDe(r) || "Sin nombre";
      const que = document.createElement("span"); que.className = "clave";
      que.textContent = ` · ${r.programa} ${r.periodo || ""} · folio ${r.folio}`;
      boton.append(quien, que);
      boton.addEventListener("click", () => abrir(r.registro_id));
      li.append(boton);
      return li;
    }));
  }

  // -- record -------------------------------------------------------------------------------
  async function abrir(id) {
    try {
      const r = await (await api("/campo/registros/" + id)).json();
      mostrarFicha(r, true);
      await fotos(r);
    } catch (error) {
      if (!sinRed(error)) { aviso(error.message); return; }
      const plan = await kv.get("plan", almacen);
      const r = plan && plan.registros.find((x) => x.registro_id === id);
      if (!r) { aviso("Sin conexión: este registro no está en el plan de visita."); return; }
      mostrarFicha(r, false);
    }
  }

  function mostrarFicha(r, completo) {
    actual = { datos: r, completo };
    $("ficha").hidden = false; $("ficha-origen").hidden = completo;
    $("ficha-programas").hidden = !completo;
    $("ficha-nombre").textContent = nombreDe(r) || "Sin nombre";
    const domicilio = [r.tipovial, r.nomvial, r.numext, r.numint && "int. " + r.numint, r.tipoasen,
      r.nomasen, r.cp && "C.P. " + r.cp].filter(Boolean).join(" ");
    const datos = [
      ["CURP", r.curp, true], ["Folio", r.folio, true], ["Programa", `${r.programa} ${r.periodo || ""}`],
      ["Domicilio", domicilio], ["Referencias", r.descrubic],
      ["Localidad", completo ? r.localidad_declarada || r.nom_loc : r.nom_loc],
      ["Municipio declarado", r.nom_mun], ["Nacimiento", r.fecha_nacimiento], ["Sexo", r.sexo],
    ];
    if (completo) {
      datos.push(["Banderas", [...(r.banderas_registro || []), ...(r.banderas_ubicacion || [])].join(", ") || "ninguna"]);
    }
    $("ficha-datos").replaceChildren(...datos.filter(([, v]) => v !== undefined).flatMap(([k, v, clave]) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v == null || v === "" ? "sin dato" : v;
      if (clave) dd.className = "clave";
      return [dt, dd];
    }));
    $("ubicacion").textContent = r.lon == null ? "Sin punto registrado."
      : `Punto del registro (${r.precision}): ${r.lat.toFixed(6)}, ${r.lon.toFixed(6)}`;
    if (completo) {
      $("programas").replaceChildren(...r.inscripciones.map((i) => {
        const li = document.createElement("li");
        li.textContent = `${i.programa} ${i.periodo || ""} · folio ${i.folio}`;
        return li;
      }));
      $("pagos").replaceChildren(...r.pagos_por_periodo.map((p) => {
        const tr = document.createElement("tr");
        for (const [v, clase] of [[p.periodo], [pesos.format(Number(p.importe)), "numero"],
          [Object.keys(p.por_programa).join(", ")]]) {
          const td = document.createElement("td"); td.textContent = v; if (clase) td.className = clase; tr.append(td);
        }
        return tr;
      }));
    }
    $("fotos").replaceChildren();
    croquis(r);
    vigilar();
  }

  function cerrarFicha() {
    $("ficha").hidden = true; actual = null;
    if (vigilancia !== null) { navigator.geolocation.clearWatch(vigilancia); vigilancia = null; }
  }

  async function fotos(r) {
    for (const f of r.fotos) {
      try { // one unavailable photo must not hide the others
        const blob = await (await api(`/campo/registros/${r.registro_id}/fotos/${f.id}`)).blob();
        const img = document.createElement("img"); img.alt = "Foto de la vivienda"; img.src = URL.createObjectURL(blob);
        $("fotos").append(img);
      } catch (error) {
        const nota = document.createElement("p"); nota.textContent = `Foto ${f.id}: ${error.message}`;
        $("fotos").append(nota);
      }
    }
  }

  // -- croquis: the service's own vector tiles, optional street basemap, scale, phone ---------
  const origen = window.location.origin;
  const vacio = { type: "FeatureCollection", features: [] };
  const punto = (lon, lat, tipo) => ({ type: "Feature", properties: { tipo }, geometry: { type: "Point", coordinates: [lon, lat] } });

  function circulo(lon, lat, metros) {
    // The accuracy circle as a polygon (64 sides) on the sphere.
    const anillo = [];
    const dLat = metros / 111320;
    const dLon = metros / (111320 * Math.cos(lat * Math.PI / 180));
    for (let i = 0; i <= 64; i += 1) {
      const a = (i / 64) * 2 * Math.PI;
      anillo.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
    }
    return { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [anillo] } };
  }

  function distancia(lon1, lat1, lon2, lat2) {
    const rad = Math.PI / 180;
    const a = Math.sin((lat2 - lat1) * rad / 2) ** 2
      + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin((lon2 - lon1) * rad / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  }

  function estilo() {
    const teselas = (capa) => ({ type: "vector", tiles: [`${origen}/teselas/${capa}/{z}/{x}/{y}.pbf`],
      minzoom: capa === "localidades_poligonos" ? 8 : 0, maxzoom: 16 });
    const fuentes = {
      municipios: teselas("municipios"), localidades_poligonos: teselas("localidades_poligonos"),
      localidades: teselas("localidades"),
      puntos: { type: "geojson", data: vacio }, telefono: { type: "geojson", data: vacio },
      precision: { type: "geojson", data: vacio },
    };
    const capas = [{ id: "fondo", type: "background", paint: { "background-color": "#eef2f5" } }];
    if (CONFIG.basemap) {
      fuentes.calles = { type: "raster", tiles: [CONFIG.basemap], tileSize: 256 };
      $("fuente-calles").hidden = false;
      capas.push({ id: "calles", type: "raster", source: "calles" });
    }
    capas.push(
      { id: "localidades-area", type: "fill", source: "localidades_poligonos", "source-layer": "localidades_poligonos",
        paint: { "fill-color": "#efe6d2", "fill-opacity": CONFIG.basemap ? 0.35 : 0.9 } },
      { id: "localidad-declarada", type: "fill", source: "localidades_poligonos", "source-layer": "localidades_poligonos",
        filter: ["==", ["get", "cvegeo"], ""], paint: { "fill-color": "#fdd9a8", "fill-opacity": 0.7 } },
      { id: "localidades-borde", type: "line", source: "localidades_poligonos", "source-layer": "localidades_poligonos",
        paint: { "line-color": "#a68a64", "line-width": 1 } },
      { id: "localidad-declarada-borde", type: "line", source: "localidades_poligonos", "source-layer": "localidades_poligonos",
        filter: ["==", ["get", "cvegeo"], ""], paint: { "line-color": "#e07a1f", "line-width": 2.5 } },
      { id: "municipios", type: "line", source: "municipios", "source-layer": "municipios",
        paint: { "line-color": "#4a4e69", "line-width": 1.5, "line-dasharray": [3, 2] } },
      { id: "localidades-puntos", type: "circle", source: "localidades", "source-layer": "localidades",
        minzoom: 11, paint: { "circle-radius": 3, "circle-color": "#6c757d" } },
      { id: "precision", type: "fill", source: "precision", paint: { "fill-color": "#1a9850", "fill-opacity": 0.15 } },
      { id: "precision-borde", type: "line", source: "precision", paint: { "line-color": "#1a9850", "line-width": 1.5 } },
      { id: "puntos", type: "circle", source: "puntos", paint: {
        "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
        "circle-color": ["match", ["get", "tipo"], "registro", "#d7301f", "#2b83ba"] } },
      { id: "telefono", type: "circle", source: "telefono", paint: {
        "circle-radius": 7, "circle-color": "#1a9850", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
    );
    return { version: 8, sources: fuentes, layers: capas };
  }

  function croquis(r) {
    const puntos = [];
    if (r.lon != null) puntos.push(punto(r.lon, r.lat, "registro"));
    if (r.lon_localidad_declarada != null) puntos.push(punto(r.lon_localidad_declarada, r.lat_localidad_declarada, "localidad"));
    const declarada = r.cve_loc ? `${r.cve_ent}${r.cve_mun}${r.cve_loc}` : r.cvegeo_loc || "";
    const centro = puntos.length ? puntos[0].geometry.coordinates : [-96.7266, 17.0606];
    const pintar = () => {
      mapa.getSource("puntos").setData({ type: "FeatureCollection", features: puntos });
      for (const capa of ["localidad-declarada", "localidad-declarada-borde"]) {
        mapa.setFilter(capa, ["==", ["get", "cvegeo"], declarada]);
      }
      encuadre = puntos;
      pintarPosicion();
      encuadrar(puntos);
    };
    if (mapa) { if (mapa.isStyleLoaded()) pintar(); else mapa.once("load", pintar); return; }
    mapa = new maplibregl.Map({ container: "croquis", style: estilo(), center: centro, zoom: 16,
      fadeDuration: 0, attributionControl: false, maxZoom: 19 });
    mapa.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    mapa.addControl(new maplibregl.ScaleControl({ unit: "metric", maxWidth: 120 }), "bottom-left");
    mapa.once("load", pintar);
    window.padronCroquis = mapa;
  }

  function encuadrar(puntos) {
    // The record's point, the phone and the declared locality's point, when they are near
    // enough to be one walk (5 km); otherwise the record's point alone.
    const lugares = puntos.map((p) => p.geometry.coordinates);
    if (posicion) lugares.push([posicion.coords.longitude, posicion.coords.latitude]);
    const cerca = lugares.filter((l) => distancia(lugares[0][0], lugares[0][1], l[0], l[1]) < 5000);
    if (cerca.length < 2) {
      mapa.jumpTo({ center: cerca.length ? cerca[0] : [-96.7266, 17.0606], zoom: cerca.length ? 16 : 12 });
      return;
    }
    const lons = cerca.map((l) => l[0]); const lats = cerca.map((l) => l[1]);
    mapa.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]],
      { padding: 48, maxZoom: 17, animate: false });
  }

  function pintarPosicion() {
    if (!mapa || !mapa.getSource("telefono")) return;
    if (!posicion) {
      mapa.getSource("telefono").setData(vacio); mapa.getSource("precision").setData(vacio);
      return;
    }
    const { longitude: lon, latitude: lat, accuracy } = posicion.coords;
    mapa.getSource("telefono").setData({ type: "FeatureCollection", features: [punto(lon, lat, "telefono")] });
    mapa.getSource("precision").setData({ type: "FeatureCollection", features: [circulo(lon, lat, accuracy)] });
    if (encuadre) { encuadrar(encuadre); encuadre = null; }
    const r = actual && actual.datos;
    const lejos = r && r.lon != null ? `, a ${numero.format(distancia(r.lon, r.lat, lon, lat))} m del punto del registro` : "";
    $("posicion").textContent = `Su posición: precisión ±${numero.format(accuracy)} m${lejos}.`;
  }

  function vigilar() {
    if (!navigator.geolocation) { $("posicion").textContent = "Este dispositivo no da su posición."; return; }
    if (vigilancia !== null) { pintarPosicion(); return; }
    vigilancia = navigator.geolocation.watchPosition((p) => { posicion = p; pintarPosicion(); },
      () => { $("posicion").textContent = "Sin posición del teléfono (¿permiso o GPS apagado?)."; },
      { enableHighAccuracy: true, maximumAge: 10000, timeout: 60000 });
  }

  // -- verified point -----------------------------------------------------------------------
  function posicionActual() {
    if (posicion && Date.now() - posicion.timestamp < 30000) return Promise.resolve(posicion);
    return new Promise((ok, mal) => navigator.geolocation.getCurrentPosition(ok, mal,
      { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 }));
  }

  function confirmar(texto) {
    const dialogo = $("confirmar");
    $("confirmar-texto").textContent = texto;
    return new Promise((ok) => {
      dialogo.addEventListener("close", () => ok(dialogo.returnValue === "si"), { once: true });
      dialogo.returnValue = "";
      dialogo.showModal();
    });
  }

  $("usar-gps").addEventListener("click", async () => {
    if (!actual || !navigator.geolocation) { aviso("Este dispositivo no da su posición."); return; }
    let fix;
    try { fix = await posicionActual(); } catch (error) { aviso("No se pudo obtener la posición."); return; }
    posicion = fix; pintarPosicion();
    const r = actual.datos;
    const { longitude: lon, latitude: lat, accuracy } = fix.coords;
    const umbral = CONFIG.umbralPrecisionM;
    const calidad = accuracy <= umbral
      ? `Precisión del teléfono: ±${numero.format(accuracy)} m (umbral ${numero.format(umbral)} m): se guardará como punto verificado.`
      : `Precisión del teléfono: ±${numero.format(accuracy)} m, peor que el umbral de ${numero.format(umbral)} m: `
        + "NO se guardará como punto verificado sino como punto impreciso, que solo reemplaza el punto de una localidad o de un municipio.";
    const movimiento = r.lon == null ? "El registro no tenía punto."
      : `El punto se mueve ${numero.format(distancia(r.lon, r.lat, lon, lat))} m desde el punto actual del registro (${r.precision}).`;
    if (!(await confirmar(`${calidad} ${movimiento}`))) { aviso("No se guardó la posición."); return; }
    await encolar({ tipo: "punto", registro_id: r.registro_id, etiqueta: nombreDe(r) || r.folio,
      lon, lat, precision_m: accuracy, medido_en: new Date(fix.timestamp).toISOString() });
  });

  // -- photos: resized on the phone, queued, sent with progress and retried ------------------
  $("foto-archivo").addEventListener("change", (evento) => {
    const archivo = evento.target.files[0];
    $("foto-nombre").textContent = archivo ? archivo.name : "Ninguna foto elegida";
    $("subir-foto").querySelector("button").disabled = !archivo;
  });

  async function reducir(archivo) {
    // Longest side at most CONFIG.fotoLadoPx, JPEG under CONFIG.fotoMaxKb: lower the quality
    // first, then the size, so a phone photo of several MB arrives as a few hundred KB.
    const imagen = await createImageBitmap(archivo, { imageOrientation: "from-image" });
    let escala = Math.min(1, CONFIG.fotoLadoPx / Math.max(imagen.width, imagen.height));
    const limite = CONFIG.fotoMaxKb * 1024;
    let blob = null;
    for (let ronda = 0; ronda < 6; ronda += 1, escala *= 0.75) {
      const lienzo = document.createElement("canvas");
      lienzo.width = Math.max(1, Math.round(imagen.width * escala));
      lienzo.height = Math.max(1, Math.round(imagen.height * escala));
      lienzo.getContext("2d").drawImage(imagen, 0, 0, lienzo.width, lienzo.height);
      for (const calidad of [0.85, 0.75, 0.65, 0.55]) {
        blob = await new Promise((ok) => lienzo.toBlob(ok, "image/jpeg", calidad));
        if (blob.size <= limite) { imagen.close(); return blob; }
      }
    }
    imagen.close();
    return blob;
  }

  $("subir-foto").addEventListener("submit", async (evento) => {
    evento.preventDefault();
    const archivo = $("foto-archivo").files[0];
    if (!archivo || !actual) return;
    let blob;
    try { blob = await reducir(archivo); } catch (error) { aviso("No se pudo leer la foto (¿es una imagen?)."); return; }
    evento.target.reset(); $("foto-nombre").textContent = "Ninguna foto elegida";
    evento.target.querySelector("button").disabled = true;
    const r = actual.datos;
    await encolar({ tipo: "foto", registro_id: r.registro_id, etiqueta: nombreDe(r) || r.folio, blob,
      bytes: blob.size });
  });

  function subirFoto(item, avance) {
    return new Promise((ok, mal) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `/campo/registros/${item.registro_id}/fotos`);
      xhr.setRequestHeader("Authorization", "Bearer " + sesion.token);
      xhr.timeout = 180000;
      xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) avance(e.loaded / e.total); });
      xhr.addEventListener("load", () => {
        let cuerpo = {};
        try { cuerpo = JSON.parse(xhr.responseText); } catch (error) { /* not JSON */ }
        ok({ status: xhr.status, cuerpo });
      });
      for (const fallo of ["error", "timeout", "abort"]) xhr.addEventListener(fallo, () => mal(new TypeError(fallo)));
      const datos = new FormData();
      datos.append("foto", item.blob, "foto.jpg");
      xhr.send(datos);
    });
  }

  async function enviarPunto(item) {
    const respuesta = await fetch(`/campo/registros/${item.registro_id}/punto`, {
      method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + sesion.token },
      body: JSON.stringify({ lon: item.lon, lat: item.lat, precision_m: item.precision_m, medido_en: item.medido_en }),
    });
    return { status: respuesta.status, cuerpo: await respuesta.json().catch(() => ({})) };
  }

  // -- queue --------------------------------------------------------------------------------
  async function cola() {
    return (await kv.entries(almacen)).filter(([k]) => String(k).startsWith("cola:"))
      .map(([, v]) => v).sort((a, b) => a.creado - b.creado);
  }

  async function encolar(item) {
    item.id = `cola:${Date.now()}:${Math.random().toString(36).slice(2)}`;
    item.creado = Date.now(); item.usuario = sesion.usuario; item.estado = "en espera";
    await kv.set(item.id, item, almacen);
    espera = 0;
    await procesarCola();
  }

  function describir(item) {
    return item.tipo === "foto"
      ? `Foto de ${item.etiqueta} (${numero.format(item.bytes / 1024)} KB)`
      : `Posición de ${item.etiqueta} (±${numero.format(item.precision_m)} m)`;
  }

  function pintarPendientes(items, avance = {}) {
    $("pendientes").hidden = items.length === 0;
    $("pendientes").querySelector("ul").replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.dataset.estado = item.estado;
      const texto = document.createElement("span");
      texto.textContent = `${describir(item)} · ${item.estado}${item.detalle ? ": " + item.detalle : ""}`;
      li.append(texto);
      if (item.id in avance) {
        const barra = document.createElement("progress"); barra.max = 1; barra.value = avance[item.id];
        barra.setAttribute("aria-label", "Avance del envío");
        li.append(barra);
      }
      if (item.estado === "rechazado") {
        const descartar = document.createElement("button");
        descartar.type = "button"; descartar.className = "secundario"; descartar.textContent = "Descartar";
        descartar.addEventListener("click", async () => { await kv.del(item.id, almacen); pintarPendientes(await cola()); });
        li.append(descartar);
      }
      return li;
    }));
  }

  async function procesarCola() {
    if (enviando || !sesion) return;
    enviando = true;
    let fallo = false;
    try {
      for (const item of await cola()) {
        if (item.estado === "rechazado") continue;
        if (item.usuario !== sesion.usuario) { await kv.del(item.id, almacen); continue; }
        if (!navigator.onLine) { fallo = true; break; }
        item.estado = "enviando"; item.detalle = "";
        const avance = { [item.id]: 0 };
        pintarPendientes(await cola().then((l) => l.map((x) => (x.id === item.id ? item : x))), avance);
        let respuesta;
        try {
          respuesta = item.tipo === "foto"
            ? await subirFoto(item, (f) => {
              avance[item.id] = f;
              const barra = $("pendientes").querySelector(`li[data-estado="enviando"] progress`);
              if (barra) barra.value = f;
            })
            : await enviarPunto(item);
        } catch (error) { respuesta = null; }
        if (respuesta && respuesta.status === 401) { await vencida(); return; }
        if (respuesta && respuesta.status >= 200 && respuesta.status < 300) {
          await kv.del(item.id, almacen);
          avisoEnviado(item, respuesta.cuerpo);
          continue;
        }
        if (respuesta && respuesta.status >= 400 && respuesta.status < 500) {
          item.estado = "rechazado"; item.detalle = respuesta.cuerpo.detalle || `error ${respuesta.status}`;
        } else {
          item.estado = "en espera de señal"; item.intentos = (item.intentos || 0) + 1; fallo = true;
        }
        await kv.set(item.id, item, almacen);
        if (fallo) break;
      }
    } finally {
      enviando = false;
    }
    pintarPendientes(await cola());
    if (fallo) {
      espera += 1;
      window.setTimeout(procesarCola, Math.min(60000, 2000 * 2 ** Math.min(espera, 5)));
    } else {
      espera = 0;
    }
  }

  function avisoEnviado(item, cuerpo) {
    if (item.tipo === "foto") {
      aviso(`Foto de ${item.etiqueta} guardada.`, true);
    } else if (cuerpo.precision === "verificado_campo") {
      aviso(`Punto verificado guardado para ${item.etiqueta} (±${numero.format(cuerpo.precision_m)} m).`, true);
    } else {
      aviso(`Posición de ${item.etiqueta} guardada como punto impreciso (±${numero.format(cuerpo.precision_m)} m)`
        + (cuerpo.es_ubicacion ? "." : "; no reemplaza la ubicación del domicilio."), true);
    }
    if (actual && actual.completo && actual.datos.registro_id === item.registro_id) abrir(item.registro_id);
  }

  $("reintentar").addEventListener("click", () => { espera = 0; procesarCola(); });

  // -- visit plan ---------------------------------------------------------------------------
  function resumenPlan(plan) {
    $("plan-ver").hidden = !plan; $("plan-borrar").hidden = !plan;
    $("plan-resumen").textContent = plan
      ? `(${numero.format(plan.registros.length)} domicilios de ${plan.localidades.length} localidad(es), hasta las ${hora.format(new Date(plan.vigente_hasta))})`
      : "(sin plan guardado)";
  }

  async function cargarPlan() {
    const plan = await kv.get("plan", almacen);
    if (plan && (Date.parse(plan.vigente_hasta) < Date.now() || plan.usuario !== (sesion && sesion.usuario))) {
      await kv.del("plan", almacen); resumenPlan(null); return;
    }
    resumenPlan(plan || null);
  }

  $("plan").addEventListener("toggle", async () => {
    if (!$("plan").open || $("plan-municipio").options.length > 1) return;
    try {
      const lista = await (await api("/campo/municipios")).json();
      for (const m of lista) $("plan-municipio").add(new Option(m.nom_mun, m.cvegeo));
      if (lista.length === 1) { $("plan-municipio").value = lista[0].cvegeo; await localidades(); }
    } catch (error) { aviso(sinRed(error) ? "Sin conexión: el plan se descarga con señal." : error.message); }
  });

  async function localidades() {
    const municipio = $("plan-municipio").value;
    const ul = $("plan-localidades").querySelector("ul");
    ul.replaceChildren(); $("plan-localidades").hidden = !municipio; $("plan-descargar").disabled = true;
    if (!municipio) return;
    try {
      const lista = await (await api("/campo/localidades?" + new URLSearchParams({ municipio }))).json();
      ul.append(...lista.map((l) => {
        const li = document.createElement("li"); const etiqueta = document.createElement("label");
        const casilla = document.createElement("input"); casilla.type = "checkbox"; casilla.value = l.cvegeo;
        casilla.addEventListener("change", () => {
          $("plan-descargar").disabled = !ul.querySelector("input:checked");
        });
        etiqueta.append(casilla, `${l.nom_loc} (${numero.format(l.registros)} registros)`);
        li.append(etiqueta); return li;
      }));
      if (!lista.length) ul.append(Object.assign(document.createElement("li"), { textContent: "Sin registros ubicados en este municipio." }));
    } catch (error) { aviso(sinRed(error) ? "Sin conexión: el plan se descarga con señal." : error.message); }
  }
  $("plan-municipio").addEventListener("change", localidades);

  $("plan-descargar").addEventListener("click", async () => {
    const elegidas = [...$("plan-localidades").querySelectorAll("input:checked")].map((c) => c.value);
    const parametros = new URLSearchParams(); elegidas.forEach((l) => parametros.append("localidad", l));
    try {
      const plan = await (await api("/campo/plan?" + parametros)).json();
      plan.usuario = sesion.usuario;
      if (Date.parse(sesion.expira) < Date.parse(plan.vigente_hasta)) plan.vigente_hasta = sesion.expira;
      await kv.set("plan", plan, almacen);
      resumenPlan(plan);
      aviso(`Plan guardado en el teléfono: ${numero.format(plan.registros.length)} domicilios.`, true);
      verPlan(plan);
      guardarTeselas(plan);
    } catch (error) { aviso(sinRed(error) ? "Sin conexión: el plan se descarga con señal." : error.message); }
  });

  function verPlan(plan) { cerrarFicha(); resultados(plan.registros); }
  $("plan-ver").addEventListener("click", async () => {
    const plan = await kv.get("plan", almacen); if (plan) verPlan(plan);
  });
  $("plan-borrar").addEventListener("click", async () => {
    await kv.del("plan", almacen); resumenPlan(null); $("resultados").replaceChildren();
    aviso("Plan de visita borrado de este teléfono.", true);
  });

  function guardarTeselas(plan) {
    // Ask for the tiles each household's croquis will need, once, while there is signal: the
    // service worker keeps them, so the croquis has its basemap in the field. For each point,
    // the tile that holds it at the croquis' zooms; for the whole plan, its overview.
    const puntos = plan.registros.filter((r) => r.lon != null);
    if (!puntos.length || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    const tx = (lon, z) => Math.floor(((lon + 180) / 360) * 2 ** z);
    const ty = (lat, z) => Math.floor(((1 - Math.log(Math.tan(lat * Math.PI / 180) + 1 / Math.cos(lat * Math.PI / 180)) / Math.PI) / 2) * 2 ** z);
    const teselas = new Set();
    for (const z of [10, 12, 16, 15, 14]) {
      for (const r of puntos) teselas.add(`${z}/${tx(r.lon, z)}/${ty(r.lat, z)}`);
    }
    const urls = [...teselas].flatMap((t) => ["municipios", "localidades_poligonos", "localidades"]
      .map((capa) => `/teselas/${capa}/${t}.pbf`));
    (async () => {
      for (const url of urls.slice(0, 1500)) await fetch(url).catch(() => null);
      document.body.dataset.teselas = "1";
    })();
  }

  // -- start --------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/campo/sw.js", { scope: "/campo" }).catch(() => null);
  }
  (async () => {
    sesion = leerSesion();
    if (!sesion && localStorage.getItem(SESION)) await vencida(); // expired while away
    mostrar(); red();
    if (sesion) { await cargarPlan(); pintarPendientes(await cola()); procesarCola(); }
    document.body.dataset.listo = "1";
  })();
})();
