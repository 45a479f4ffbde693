"""Importing the organisation tree, the roster and positions from CSV or XLSX files.

Every file is one sheet (the first sheet of an XLSX workbook; a CSV in UTF-8, with or without BOM,
comma- or semicolon-separated) whose row 1 holds exactly these column headers, in any order. Dates are
dd/mm/yyyy or yyyy-mm-dd, or real date cells in XLSX. Text is stored NFC-normalised. Choice columns
accept the stored value or its Vietnamese label, with or without accents.

Organisations (kind ``organisations``), upserted by ``ma_to_chuc``:
    ma_to_chuc, ten_to_chuc, loai (an OrganisationKind value or label), ma_cap_tren (empty: a root),
    ma_don_vi_hanh_chinh, hieu_luc_tu, hieu_luc_den, ma_tien_than (predecessor codes separated by ";").
    Parents are created before children; an organisation whose parent changed is moved with its subtree.

Roster (kind ``roster``), upserted by ``ma_dang_vien``:
    ma_dang_vien, ho_ten, gioi_tinh (Nam/Nữ), ngay_sinh, so_cccd (12 digits), dien_thoai, email,
    ma_chi_bo (a cell), loai_dang_vien (chinh_thuc/du_bi), tinh_trang (dang_sinh_hoat/mien_sinh_hoat/dinh_chi),
    ngay_vao_dang, ngay_chinh_thuc.
    A cadre whose cell changed is transferred: the old membership ends the day before the new one starts.
    Cadres absent from the file are left as they are.

Positions (kind ``positions``), upserted by (cadre, kind, post, organisation, title, start date):
    ma_dang_vien, loai_chuc_vu (dang/chinh_quyen), chuc_vu_dang, ma_to_chuc, chuc_danh, co_quan,
    nguoi_dung_dau (co/khong), dai_bieu_hdnd (co/khong), tu_ngay, den_ngay.

A file over the import limits (rows, columns, cells, size, what an XLSX declares or decompresses to:
the limits package, docs/IMPORTS.md) is refused before it is parsed, with a message naming the limit.

The whole file is validated first and every error is reported as (sheet row, column header, message in
Vietnamese). If there is any error nothing is written; otherwise the file is applied in one transaction
with row history and one audit event. Running the same file twice changes nothing the second time.
Importing users may only write inside the organisations where the access module lets them import
(and inside the job's scope); only a superuser or the system may create a root organisation.
"""
