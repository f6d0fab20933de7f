from __future__ import annotations

from parcauto.vehicles.selectors import (
    vehicle_make_canonical,
    vehicle_make_names,
    vehicle_makes,
    vehicle_model_canonical,
    vehicle_model_names,
)


def test_the_list_offers_the_makes_common_in_quebec_sorted():
    names = vehicle_make_names()
    assert len(names) >= 40
    assert names == sorted(names, key=str.casefold)
    for make in ("Toyota", "Honda", "Hyundai", "Ford", "Tesla", "Mercedes-Benz", "Alfa Romeo"):
        assert make in names
    assert all(make.models for make in vehicle_makes())


def test_models_follow_the_chosen_make_in_any_case():
    assert {"Corolla", "RAV4", "Camry"} <= set(vehicle_model_names(make="Toyota"))
    assert vehicle_model_names(make=" toyota ") == vehicle_model_names(make="Toyota")
    assert "NSX" in vehicle_model_names(make="Acura")
    assert vehicle_model_names(make="Lada") == []


def test_the_file_is_read_once():
    assert vehicle_makes() is vehicle_makes()


def test_typed_names_take_the_spelling_of_the_list_and_others_are_kept():
    assert vehicle_make_canonical(" toyota ") == "Toyota"
    assert vehicle_model_canonical(make="Toyota", model="rav4") == "RAV4"
    assert vehicle_make_canonical("Lada") == "Lada"
    assert vehicle_model_canonical(make="Lada", model=" Niva ") == "Niva"
